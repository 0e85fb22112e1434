package dev.sluice.testing;

import java.io.IOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/** A real Redis on a free loopback port, for one test; {@link #stop()} and {@link #start()} imitate an outage. */
public final class EmbeddedRedis implements AutoCloseable {
    private final RedisServer server;
    private final int port;

    public EmbeddedRedis() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = new RedisServer(port);
        server.start();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public void stop() throws IOException {
        server.stop();
    }

    public void start() throws IOException {
        server.start();
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
