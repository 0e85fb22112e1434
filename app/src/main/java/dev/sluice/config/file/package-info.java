/**
 * Configuration from the YAML file ({@code model_list}, {@code general_settings}, {@code keys}): the readers
 * and {@link dev.sluice.config.file.FileConfigLoader}, which validates the file into a
 * {@link dev.sluice.config.FileConfig}.
 */
package dev.sluice.config.file;
