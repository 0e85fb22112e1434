/**
 * Client dialect × backend wire: {@link dev.sluice.endpoint.Pairs} is the one switch that says which pairs exist,
 * {@link dev.sluice.endpoint.Pair} prepares each attempt and reads its answer, {@link dev.sluice.endpoint.Exchange}
 * serves a parsed request on its route. May use: {@code routing}, {@code translate}, {@code backend},
 * {@code protocol}, {@code error}, {@code observability}, {@code cache}, {@code ratelimit}, {@code config}.
 */
package dev.sluice.endpoint;
