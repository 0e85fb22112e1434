/**
 * Wire formats and their vocabulary: JSON, SSE, the OpenAI and Anthropic envelopes and events, the client dialect,
 * upstream error parsing, the stream-translator contract. May use: {@code error}.
 */
package dev.sluice.protocol;
