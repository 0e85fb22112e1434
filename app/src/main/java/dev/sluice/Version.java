package dev.sluice;

/** The gateway's version, as reported by /health and GET /. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {}
}
