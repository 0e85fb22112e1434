package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The fake itself, where tests rely on it to play a runtime that died. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FakeRuntimeTest {

    @Test
    void a_closed_fake_refuses_connections_as_soon_as_close_returns() {
        // before close() waited for its accept loop, about half of these connects were accepted and then reset
        for (int i = 0; i < 50; i++) {
            FakeRuntime fake = FakeRuntime.vllm();
            int port = fake.port();
            fake.close();
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                }
            }).as("connect #%d to a closed fake", i).isInstanceOf(ConnectException.class);
        }
    }
}
