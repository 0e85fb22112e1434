package dev.sluice.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP proxy in front of Redis that holds every byte on its way to Redis for a settable delay (a slow network or
 * a busy Redis), keeping order and pipelining: each chunk leaves {@code delay} after it arrived, not after the one
 * before it.
 */
final class LatencyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long delayNanos;

    LatencyProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    void delayMillis(long ms) {
        delayNanos = ms * 1_000_000;
    }

    private record Chunk(long due, byte[] bytes) {}

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
                Thread.ofVirtual().start(() -> read(client, queue));
                Thread.ofVirtual().start(() -> write(queue, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                try {
                    client.close(); // Redis is down: the client sees a refused connection, as without the proxy
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    private void read(Socket from, BlockingQueue<Chunk> queue) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
            }
        } catch (IOException e) {
            // connection over
        }
        queue.add(new Chunk(0, null));
    }

    private void write(BlockingQueue<Chunk> queue, Socket to) {
        try (OutputStream out = to.getOutputStream()) {
            while (true) {
                Chunk c = queue.take();
                if (c.bytes() == null) {
                    return;
                }
                long wait = c.due() - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                out.write(c.bytes());
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // connection over
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // connection over
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
