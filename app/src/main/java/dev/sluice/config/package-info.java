/**
 * Reading and validating configuration (environment, config file, command line) into records. May use:
 * {@code backend} (the identity types a deployment names).
 */
package dev.sluice.config;
