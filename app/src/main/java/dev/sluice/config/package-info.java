/**
 * Configuration, split by where it comes from: {@code env} (environment variables), {@code file} (the YAML
 * config file), {@code cli} (the command line); the records they produce ({@code GatewayConfig},
 * {@code FileConfig}, {@code Deployment}, …) and {@code StartupCheck}, which runs all three before anything
 * starts, live here. May use: {@code backend} (the identity types a deployment names).
 */
package dev.sluice.config;
