package dev.celeriac.testsupport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTests {

    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerBehindAProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            socket.getInputStream().transferTo(socket.getOutputStream());
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = FaultProxy.to("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        var socket = new Socket("127.0.0.1", proxy.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        byte[] reply = socket.getInputStream().readNBytes(text.length());
        return new String(reply, StandardCharsets.UTF_8);
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "hello")).isEqualTo("hello");
            assertThat(roundTrip(socket, "again")).isEqualTo("again");
        }
    }

    @Test
    void delaysEveryChunkByTheLatency() throws IOException {
        proxy.latency(Duration.ofMillis(300));
        try (Socket socket = connect()) {
            long started = System.nanoTime();
            assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
            // once on the way there and once on the way back
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        }
    }

    @Test
    void cutClosesOpenConnectionsButAcceptsNewOnes() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "before")).isEqualTo("before");
            proxy.cut();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "after")).isEqualTo("after");
        }
    }

    @Test
    void refusesConnectionsWhileDisconnectedAndForwardsAfterRestore() throws IOException {
        proxy.disconnect();
        try (Socket socket = connect()) {
            assertThatThrownBy(() -> {
                        socket.getOutputStream().write(1);
                        if (socket.getInputStream().read() == -1) {
                            throw new IOException("closed by the proxy");
                        }
                    })
                    .isInstanceOfAny(IOException.class, SocketTimeoutException.class);
        }
        proxy.restore();
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "back")).isEqualTo("back");
        }
    }
}
