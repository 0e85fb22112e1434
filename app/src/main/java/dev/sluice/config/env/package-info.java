/**
 * Configuration from the environment: {@link dev.sluice.config.env.ConfigLoader} reads and validates every
 * variable into a {@link dev.sluice.config.GatewayConfig}; {@link dev.sluice.config.env.EnvSettings} reads the
 * settings loaded on their own (Redis, caps, drain, connection limits, auth throttling, hosts).
 */
package dev.sluice.config.env;
