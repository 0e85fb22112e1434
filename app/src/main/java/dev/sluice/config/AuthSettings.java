package dev.sluice.config;

/**
 * How client keys are checked, beyond which keys exist.
 *
 * @param failuresPerMinute AUTH_FAILURES_PER_MINUTE: failed keys one client address may present per minute (as a
 *     burst, refilled over the minute) before it is refused with 429 for a while; 0 turns the throttle off
 * @param fingerprintSecret KEY_FINGERPRINT_SECRET: the per-install secret of the keyed fingerprint (HMAC-SHA-256) that
 *     names an API_KEYS entry in logs and metrics; null: entries are named by position only
 */
public record AuthSettings(int failuresPerMinute, String fingerprintSecret) {
    public static final int DEFAULT_FAILURES_PER_MINUTE = 30;
    /** Shorter keys get a startup warning: 32 hex digits are 128 bits. */
    public static final int SHORT_KEY = 32;

    public static AuthSettings defaults() {
        return new AuthSettings(DEFAULT_FAILURES_PER_MINUTE, null);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "AuthSettings[failuresPerMinute=" + failuresPerMinute + ", fingerprintSecret="
                + (fingerprintSecret == null ? "none" : "***") + "]";
    }
}
