/**
 * How to reach one deployment: identity ({@code Provider}, {@code BackendKind}, {@code WireDialect}), its capability
 * profile, the Netty upstream client, health probes and the simulator. May use: {@code protocol}, {@code error}.
 */
package dev.sluice.backend;
