package dev.sluice.http;

import dev.sluice.config.DrainSettings;
import dev.sluice.config.env.ConfigLoader;
import dev.sluice.config.env.EnvSettings;
import dev.sluice.routing.Dispatcher;
import dev.sluice.routing.OpenStreams;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.graceful.GracefulShutdownCapable;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful drain on SIGTERM (reliability.md G20): {@code /readyz} turns 503 at once; new connections are still served
 * for DRAIN_DELAY_S so load balancers that poll readiness deregister the replica first; then the listener closes
 * (Micronaut's {@link GracefulShutdownCapable} server: no new connections, idle keep-alive connections closed,
 * in-flight exchanges left to finish); open requests and streams run until DRAIN_TIMEOUT_S after the signal; a stream
 * still open then ends with an explicit error event in its dialect and its upstream is closed; then the process exits.
 *
 * <p>Why a signal handler and not Micronaut's shutdown hook: that hook stops the Netty server at once (closing every
 * stream without a terminal event), and Micronaut's own graceful shutdown (4.9+) stops accepting immediately, with no
 * readiness-off delay, and cuts what is left at its grace period without an error event. Handling TERM ourselves
 * means nothing starts shutting down until the drain is over; {@link System#exit} then runs Micronaut's hook as usual.
 */
@Singleton
public final class Drain {
    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    /** After the deadline's error events: time for them to reach the clients before the server stops. */
    private static final Duration FLUSH = Duration.ofSeconds(3);

    private final DrainSettings settings;
    private final OpenStreams streams;
    private final ApplicationContext context;
    private final CompletableFuture<Void> hurry = new CompletableFuture<>();
    private volatile boolean draining;

    Drain(io.micronaut.context.env.Environment env, Dispatcher dispatcher, ApplicationContext context) {
        this.settings = EnvSettings.drain(name -> env.getProperty(name.toLowerCase(Locale.ROOT).replace('_', '.'),
                String.class).orElse(null));
        this.streams = dispatcher.openStreams();
        this.context = context;
    }

    /** True from SIGTERM on: {@code /readyz} answers 503. */
    public boolean draining() {
        return draining;
    }

    public DrainSettings settings() {
        return settings;
    }

    /**
     * Takes over SIGTERM for this process: the first one drains and then exits; a second one skips the rest of the
     * wait (streams still open end with their error event at once). Only the server's {@code main} calls this, never
     * a test JVM or the Lambda adapter.
     */
    @SuppressWarnings("restriction")
    public void handleSigterm() {
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
            if (draining) {
                LOG.warn("second SIGTERM: ending the streams still open now");
                hurry.complete(null);
                return;
            }
            draining = true;
            Thread.ofPlatform().name("sluice-drain").start(() -> {
                try {
                    run();
                } catch (RuntimeException e) {
                    LOG.error("drain failed; exiting", e);
                } finally {
                    System.exit(0);
                }
            });
        });
    }

    /** The whole drain; returns when the process may exit. Public for tests that drive it without a signal. */
    public void run() {
        draining = true;
        long start = System.nanoTime();
        long deadline = start + settings.timeout().toNanos();
        LOG.info("draining: /readyz answers 503; {} streams open; new connections accepted for {} ms more; open"
                + " requests and streams may run {} ms (DRAIN_DELAY_S, DRAIN_TIMEOUT_S)", streams.size(),
                settings.delay().toMillis(), settings.timeout().toMillis());
        await(hurry, start + settings.delay().toNanos());
        CompletableFuture<?> closed = stopAccepting();
        LOG.info("draining: no longer accepting connections; {} streams open", streams.size());
        CompletableFuture<Void> finished = CompletableFuture.allOf(closed, streams.idle());
        if (await(CompletableFuture.anyOf(finished, hurry), deadline) && finished.isDone()) {
            LOG.info("drained: every request and stream finished after {} ms", millisSince(start));
            return;
        }
        int ended = streams.shutDownAll();
        LOG.warn("drain deadline: ended {} open streams with an error event (outcome shutdown)", ended);
        await(CompletableFuture.allOf(closed, streams.idle()), System.nanoTime() + FLUSH.toNanos());
    }

    private CompletableFuture<?> stopAccepting() {
        EmbeddedServer server = context.findBean(EmbeddedServer.class).orElse(null);
        if (server instanceof GracefulShutdownCapable g) {
            return g.shutdownGracefully().toCompletableFuture();
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Waits for {@code f} until the {@link System#nanoTime()} deadline; true when it completed. */
    private static boolean await(CompletableFuture<?> f, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        try {
            f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
