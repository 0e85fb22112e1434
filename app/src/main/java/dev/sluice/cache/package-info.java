/**
 * The response cache and its stores. May use: {@code config}, {@code protocol}, {@code routing} (the relay it
 * records).
 */
package dev.sluice.cache;
