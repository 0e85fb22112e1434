/**
 * Micronaut controllers and filters: parse, route, limit, serve; error rendering in the caller's dialect. May use
 * every package but {@code translate} and {@code backend} (it reaches them through {@code endpoint}); nothing
 * uses it.
 */
package dev.sluice.http;
