/**
 * Choosing deployments and running exchanges with them: pools, routes, retries, fallbacks, ejection, the
 * dispatcher and the stream relay. May use: {@code backend}, {@code protocol}, {@code error},
 * {@code observability}.
 */
package dev.sluice.routing;
