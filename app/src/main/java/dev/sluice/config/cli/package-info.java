/** The command line: {@code serve}, {@code validate}, {@code --version}, {@code -c FILE}, {@code --port}… */
package dev.sluice.config.cli;
