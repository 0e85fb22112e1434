package dev.sluice.backend;

import java.time.Duration;

/** How the built-in simulator answers (SIM_* variables): its pacing and its embedding size. */
public record SimConfig(Duration timeToFirstToken, double tokensPerSecond, int embeddingDimensions) {}
