package dev.sluice.http;

import dev.sluice.config.ConnectionLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time and count limits of client connections (docs/SECURITY.md items 4 and 5, reliability.md G10 and G2b). Micronaut
 * has one idle timeout for everything (it closes on "nothing read and nothing written"), which must stay long enough
 * for a request that waits minutes for its backend; so partial heads and trickled bodies held connections for 30
 * minutes, and a client that stopped reading held its stream (and the backend's generation) until the backend was
 * blamed for the silence. Here each wait a client controls has its own clock:
 * <ul>
 *   <li>a request head must be complete within HEADER_READ_TIMEOUT_S of its first byte, its body within
 *       BODY_READ_TIMEOUT_S of the head's end (a 408, then close);</li>
 *   <li>a connection with no request in progress and no response in flight is closed after CLIENT_IDLE_TIMEOUT_S
 *       (a stream writing keep-alives, or a request waiting for its backend, is in flight, so never idle);</li>
 *   <li>bytes waiting for the client with none taken for CLIENT_WRITE_TIMEOUT_S close the connection, which cancels
 *       the upstream as any client leaving does, blamed on no one's health;</li>
 *   <li>more than MAX_HEADERS header lines get a 431; past MAX_CONNECTIONS open connections a new one is closed at
 *       once, before anything of it is read (cheaper under a flood than answering it).</li>
 * </ul>
 */
final class ConnectionGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final ConnectionLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final MeterRegistry registry;
    private final Counter refused;
    private final long tickNanos;

    ConnectionGuard(ConnectionLimits limits, MeterRegistry registry) {
        this.limits = limits;
        this.registry = registry;
        this.refused = Counter.builder("sluice.connections.refused")
                .description("Client connections closed at once because MAX_CONNECTIONS were open").register(registry);
        registry.gauge("sluice.connections.open", open);
        // a tenth of the shortest timeout, so each fires within 10 % of its value (and at most 1 s late)
        this.tickNanos = Math.clamp(limits.shortest().toNanos() / 10, TimeUnit.MILLISECONDS.toNanos(20),
                TimeUnit.SECONDS.toNanos(1));
    }

    ConnectionLimits limits() {
        return limits;
    }

    /** Counts a new connection; false (and the connection closed) when MAX_CONNECTIONS are already open. */
    boolean admit(Channel ch) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            if (refused.count() == 0) {
                LOG.warn("MAX_CONNECTIONS={} client connections are open: closing new ones until some end",
                        limits.maxConnections());
            }
            refused.increment();
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    private void closed(String reason) {
        Counter.builder("sluice.connections.closed").description("Client connections closed by a connection limit")
                .tag("reason", reason).register(registry).increment();
    }

    /** One connection's clock; both handlers share it and everything runs on the connection's event loop. */
    final class Clock {
        private ChannelHandlerContext raw;
        private ScheduledFuture<?> ticker;
        // a new connection must send its first head within the header timeout, not the (longer) idle one
        private boolean headStarted = true;
        private boolean headBytes;
        private long headStart = System.nanoTime();
        private boolean bodyOpen;
        private long bodyStart;
        /** Requests whose final response has not been written in full. */
        private int inFlight;
        private boolean responseStarted;
        private long idleSince = System.nanoTime();
        private boolean closing;
        private Object stallMessage;
        private long stallProgress;
        private long stallPending;
        private long stallSince = -1;

        /** Before the codec: the first bytes of a request head start its clock. */
        ChannelInboundHandlerAdapter rawSide() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                    raw = ctx;
                    ticker = ctx.executor().scheduleAtFixedRate(Clock.this::tick, tickNanos, tickNanos,
                            TimeUnit.NANOSECONDS);
                }

                @Override
                public void handlerRemoved(ChannelHandlerContext ctx) {
                    ticker.cancel(false);
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (closing) {
                        ReferenceCountUtil.release(msg);
                        return;
                    }
                    if (!bodyOpen && msg instanceof ByteBuf b && b.isReadable()) {
                        // bytes that complete a request in this same read stop the clock again in messageSide;
                        // a partial head left behind them is bounded by the idle timeout instead
                        if (!headStarted) {
                            headStarted = true;
                            headStart = System.nanoTime();
                        }
                        headBytes = true;
                    }
                    ctx.fireChannelRead(msg);
                }
            };
        }

        /** After the codec: where heads and bodies end, and responses start and end. */
        ChannelDuplexHandler messageSide() {
            return new ChannelDuplexHandler() {
                private boolean dropping;

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (closing || dropping) {
                        ReferenceCountUtil.release(msg);
                        return;
                    }
                    if (msg instanceof HttpRequest r) {
                        headStarted = false;
                        headBytes = false;
                        if (r.decoderResult().isSuccess() && r.headers().size() > limits.maxHeaders()) {
                            dropping = true;
                            ReferenceCountUtil.release(msg);
                            String why = "more than " + limits.maxHeaders() + " header lines (MAX_HEADERS)";
                            if (inFlight == 0) {
                                refuse("too_many_headers", 431, "Request Header Fields Too Large",
                                        "request_headers_too_large", why);
                            } else {
                                shut("too_many_headers"); // an earlier response is still being written
                            }
                            return;
                        }
                        inFlight++;
                        bodyOpen = true;
                        bodyStart = System.nanoTime();
                    }
                    if (msg instanceof LastHttpContent) {
                        bodyOpen = false;
                    }
                    ctx.fireChannelRead(msg);
                }

                @Override
                public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                    if (msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                        ctx.write(msg, promise); // 100 Continue: the real response is still to come
                        return;
                    }
                    if (msg instanceof HttpResponse) {
                        responseStarted = true;
                    }
                    if (msg instanceof LastHttpContent || msg instanceof FullHttpResponse) {
                        ChannelPromise p = promise.unvoid(); // Micronaut writes with void promises
                        p.addListener(f -> responseDone());
                        ctx.write(msg, p);
                        return;
                    }
                    ctx.write(msg, promise);
                }
            };
        }

        private void responseDone() {
            inFlight = Math.max(0, inFlight - 1);
            responseStarted = false;
            if (inFlight == 0) {
                long now = System.nanoTime();
                idleSince = now;
                headStart = now; // a pipelined head's clock starts once nothing is ahead of it
            }
        }

        private void tick() {
            if (closing) {
                return;
            }
            long now = System.nanoTime();
            if (bodyOpen && now - bodyStart >= limits.bodyReadTimeout().toNanos()) {
                timeout("body_read_timeout", "the request body did not arrive within "
                        + seconds(limits.bodyReadTimeout().toMillis()) + " s (BODY_READ_TIMEOUT_S)");
            } else if (headStarted && inFlight == 0 && now - headStart >= limits.headerReadTimeout().toNanos()) {
                timeout("header_read_timeout", "the request head did not arrive within "
                        + seconds(limits.headerReadTimeout().toMillis()) + " s (HEADER_READ_TIMEOUT_S)");
            } else if (!headStarted && !bodyOpen && inFlight == 0
                    && now - idleSince >= limits.idleTimeout().toNanos()) {
                shut("idle_timeout");
            } else if (writeStalled(now)) {
                shut("client_write_timeout");
            }
        }

        /**
         * Whether bytes have waited for the client for CLIENT_WRITE_TIMEOUT_S with none of them taken. Progress is
         * a flushed message leaving the buffer, part of one being written, or fewer bytes waiting; more bytes
         * arriving behind a stuck one is not.
         */
        private boolean writeStalled(long now) {
            ChannelOutboundBuffer out = raw.channel().unsafe().outboundBuffer();
            Object current = out == null ? null : out.current();
            if (current == null) {
                stallSince = -1;
                stallMessage = null;
                return false;
            }
            long progress = out.currentProgress();
            long pending = out.totalPendingWriteBytes();
            if (stallSince < 0 || current != stallMessage || progress != stallProgress || pending < stallPending) {
                stallMessage = current;
                stallProgress = progress;
                stallSince = now;
                stallPending = pending;
                return false;
            }
            stallPending = pending;
            return now - stallSince >= limits.writeTimeout().toNanos();
        }

        /**
         * A 408 when the client sent part of a request and nothing else is being written on the connection, then
         * close; a connection that never sent a byte is just closed.
         */
        private void timeout(String reason, String message) {
            boolean answerable = bodyOpen ? inFlight == 1 && !responseStarted : inFlight == 0 && headBytes;
            if (answerable) {
                refuse(reason, 408, "Request Timeout", "request_timeout", message);
            } else {
                shut(reason);
            }
        }

        /** Answers with raw bytes before the codec (no response of Micronaut's is under way), then closes. */
        private void refuse(String reason, int status, String phrase, String code, String message) {
            closing = true;
            closed(reason);
            Channel ch = raw.channel();
            ch.config().setAutoRead(false);
            byte[] body = ("{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\","
                    + "\"param\":null,\"code\":\"" + code + "\"}}").getBytes(StandardCharsets.UTF_8);
            byte[] head = ("HTTP/1.1 " + status + " " + phrase + "\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length + "\r\nconnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            raw.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(ChannelFutureListener.CLOSE);
        }

        private void shut(String reason) {
            closing = true;
            closed(reason);
            raw.channel().close();
        }
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(Locale.ROOT, "%.1f", millis / 1e3);
    }
}
