/**
 * The limits: token buckets, request and token windows (in process or in Redis). May use: {@code config},
 * {@code protocol}, {@code error}.
 */
package dev.sluice.ratelimit;
