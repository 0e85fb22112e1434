package dev.sluice;

import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP, the signal operators (systemd's {@code ExecReload=kill -HUP $MAINPID}, {@code docker kill -s HUP}) send to
 * ask for a config reload. Java has no public signal API; {@code sun.misc.Signal} (module jdk.unsupported) is the
 * one the JDK keeps for this. Where it is unavailable (Windows has no SIGHUP) the file watch still reloads.
 */
final class Hangup {
    private Hangup() {}

    /** Runs {@code onHangup} on each SIGHUP; returns what {@link #restore} puts back, or null when not installed. */
    static Object install(Runnable onHangup) {
        try {
            return Signal.handle(new Signal("HUP"), signal -> onHangup.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LoggerFactory.getLogger(Hangup.class).info("SIGHUP is not available here ({}); the config file watch"
                    + " still reloads", e.getMessage());
            return null;
        }
    }

    /** Puts back the handler {@link #install} replaced (tests start several gateways in one JVM). */
    static void restore(Object previous) {
        if (previous instanceof SignalHandler handler) {
            Signal.handle(new Signal("HUP"), handler);
        }
    }
}
