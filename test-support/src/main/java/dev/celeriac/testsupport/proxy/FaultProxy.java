package dev.celeriac.testsupport.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a free local port that forwards to one upstream address and injects the faults a network brings:
 * latency on every chunk in both directions, cutting every open connection at once, and refusing (closing at once)
 * new ones while the upstream is to look unreachable. Clients connect to {@link #port()} instead of the upstream.
 * Each connection uses two virtual threads, one per direction.
 */
public final class FaultProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private volatile long latencyNanos;
    private volatile boolean refusing;

    private FaultProxy(ServerSocket server, String upstreamHost, int upstreamPort) {
        this.server = server;
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
    }

    /** Starts a proxy to {@code host:port}, listening on a free port of the loopback interface. */
    public static FaultProxy to(String host, int port) {
        try {
            var server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            var proxy = new FaultProxy(server, host, port);
            Thread.ofVirtual()
                    .name("fault-proxy-accept-" + server.getLocalPort())
                    .start(proxy::acceptLoop);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a proxy to " + host + ":" + port, e);
        }
    }

    /** The local port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted since the start, refused ones included. */
    public long connectionsAccepted() {
        return accepted.get();
    }

    /** Connections open now. */
    public int openConnections() {
        return open.size();
    }

    /** Delays every chunk forwarded in either direction by this much (zero for none). */
    public void latency(Duration latency) {
        this.latencyNanos = latency.toNanos();
    }

    /** Closes every open connection at once, as a dropped link or a restarted load balancer does. */
    public void cut() {
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    /** Cuts every connection and refuses new ones until {@link #restore}: the upstream looks down. */
    public void disconnect() {
        refusing = true;
        cut();
    }

    /** Accepts and forwards connections again, with no latency. */
    public void restore() {
        latencyNanos = 0;
        refusing = false;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        open.add(client);
        open.add(upstream);
        Thread.ofVirtual().start(() -> pump(client, upstream));
        Thread.ofVirtual().start(() -> pump(upstream, client));
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                long delay = latencyNanos;
                if (delay > 0) {
                    Thread.sleep(Duration.ofNanos(delay));
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed or was cut: close the other as well
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        cut();
    }
}
