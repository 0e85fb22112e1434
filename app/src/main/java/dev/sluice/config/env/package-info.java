/**
 * Configuration from the environment: {@link dev.sluice.config.env.ConfigLoader} reads and validates every
 * variable into a {@link dev.sluice.config.GatewayConfig}.
 */
package dev.sluice.config.env;
