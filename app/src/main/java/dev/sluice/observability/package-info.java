/**
 * What a request did ({@link dev.sluice.observability.RequestRecord}), metrics, the access log and OpenTelemetry
 * tracing ({@link dev.sluice.observability.Tracing}). Uses no other package of the gateway, so every layer may
 * report to it.
 */
package dev.sluice.observability;
