/**
 * API key checking. May use: {@code config}.
 */
package dev.sluice.auth;
