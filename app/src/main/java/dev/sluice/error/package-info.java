/**
 * The one error type of the gateway ({@link dev.sluice.error.GatewayException}), its {@link dev.sluice.error.ErrorKind}
 * and the {@link dev.sluice.error.Cause} that routing decides on. Uses no other package of the gateway.
 */
package dev.sluice.error;
