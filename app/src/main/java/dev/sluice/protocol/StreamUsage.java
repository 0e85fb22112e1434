package dev.sluice.protocol;

/**
 * Token counts of one response.
 *
 * @param estimated the backend reported no usage and the counts were estimated
 */
public record StreamUsage(long promptTokens, long completionTokens, boolean estimated) {
    public static final StreamUsage NONE = new StreamUsage(0, 0, true);
}
