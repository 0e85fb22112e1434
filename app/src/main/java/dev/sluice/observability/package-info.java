/**
 * What a request did ({@link dev.sluice.observability.RequestRecord}), metrics and the access log. Uses no other package
 * of the gateway, so every layer may report to it.
 */
package dev.sluice.observability;
