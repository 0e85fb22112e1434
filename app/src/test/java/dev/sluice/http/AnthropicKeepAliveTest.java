package dev.sluice.http;

import static dev.sluice.testing.OpenAiChunks.content;
import static dev.sluice.testing.OpenAiChunks.finish;
import static dev.sluice.testing.OpenAiChunks.role;
import static dev.sluice.testing.OpenAiChunks.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import dev.sluice.testing.AnthropicSdk;
import dev.sluice.testing.AnthropicStreamInvariants;
import dev.sluice.testing.AnthropicStreamInvariants.Event;
import dev.sluice.testing.FakeRuntime;
import dev.sluice.testing.Gateway;
import dev.sluice.testing.RawHttp;
import dev.sluice.testing.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * While the runtime is silent (model loading, long prefill) the gateway sends {@code event: ping} every
 * KEEPALIVE_S (0.2 s here), and always after {@code message_start}, so clients and proxies keep the
 * connection and the SDKs, which skip pings, see a normal stream (§3.8 keep-alive).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnthropicKeepAliveTest {
    private static final String STREAM = """
            {"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""";

    private FakeRuntime fake;
    private Gateway gateway;

    @BeforeAll
    void start() {
        fake = FakeRuntime.vllm();
        gateway = Gateway.in(fake, "MODEL_NAME", "Qwen/Qwen3-8B", "MODEL_ALIASES", "claude-*", "KEEPALIVE_S", "0.2");
    }

    @AfterAll
    void stop() {
        gateway.close();
        fake.close();
    }

    @BeforeEach
    void resetFake() {
        fake.reset();
    }

    private List<Event> stream() throws Exception {
        try (RawHttp h = RawHttp.send(gateway.port(), "POST", "/v1/messages", Map.of("content-type",
                "application/json", "anthropic-version", "2023-06-01"), STREAM.getBytes())) {
            h.readHead(Duration.ofSeconds(10));
            assertThat(h.status()).isEqualTo(200);
            StringBuilder sse = new StringBuilder();
            h.readEvents(Duration.ofSeconds(10)).forEach(e -> sse.append(e.text()));
            List<Event> events = AnthropicStreamInvariants.parse(sse.toString());
            AnthropicStreamInvariants.check(events);
            return events;
        }
    }

    private static long pingsBefore(List<Event> events, String name) {
        long n = 0;
        for (Event e : events) {
            if (e.name().equals(name)) {
                return n;
            }
            if (e.name().equals("ping")) {
                n++;
            }
        }
        throw new AssertionError("no " + name + " in " + events);
    }

    @Test
    void pingsFlowWhileTheBackendHasNotAnsweredAndMessageStartComesFirst() throws Exception {
        fake.enqueue(Reply.sse().headerDelay(Duration.ofMillis(1200)).data(role()).data(content("Loaded."))
                .data(finish("stop")).data(usage(5, 2)));
        List<Event> events = stream();
        assertThat(events.get(0).name()).isEqualTo("message_start");
        assertThat(events.get(1).name()).isEqualTo("ping");
        assertThat(pingsBefore(events, "content_block_start")).isGreaterThanOrEqualTo(2);
        assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
        assertThat(events.stream().filter(e -> e.name().equals("message_start")).count()).isEqualTo(1);
    }

    @Test
    void pingsFlowWhileTheBackendIsSilentMidStream() throws Exception {
        fake.enqueue(Reply.sse().data(role()).data(content("Think")).pause(Duration.ofMillis(1200))
                .data(content("ing done.")).data(finish("stop")).data(usage(5, 3)));
        List<Event> events = stream();
        int firstDelta = -1;
        int secondDelta = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).name().equals("content_block_delta")) {
                if (firstDelta < 0) {
                    firstDelta = i;
                } else if (secondDelta < 0) {
                    secondDelta = i;
                }
            }
        }
        long pings = events.subList(firstDelta, secondDelta).stream().filter(e -> e.name().equals("ping")).count();
        assertThat(pings).as("pings between the two text deltas").isGreaterThanOrEqualTo(2);
    }

    @Test
    void theSdkSkipsThePingsAndAccumulatesTheAnswer() {
        fake.enqueue(Reply.sse().headerDelay(Duration.ofMillis(700)).data(role()).data(content("Slow"))
                .pause(Duration.ofMillis(500)).data(content(" but fine.")).data(finish("stop")).data(usage(5, 4)));
        AnthropicClient sdk = AnthropicSdk.withApiKey(gateway, "unused");
        Message m = AnthropicSdk.accumulate(sdk.messages().createStreaming(MessageCreateParams.builder()
                .model("claude-sonnet-4-5").maxTokens(100).addUserMessage("Hi").build()));
        sdk.close();
        assertThat(m.content().get(0).asText().text()).isEqualTo("Slow but fine.");
    }

    @Test
    void aBackendErrorAfterTheKeepAliveCommittedTheStreamArrivesAsAnErrorEvent() throws Exception {
        // the runtime takes 0.8 s to say 503: by then the 200 and message_start are out, so it travels in-band
        fake.enqueue(new Reply.Body(503, "application/json", fake.errorBody(503, "Loading model", "unavailable_error"),
                Map.of(), Duration.ofMillis(800)));
        List<Event> events = stream();
        assertThat(events.get(0).name()).isEqualTo("message_start");
        assertThat(events).anyMatch(e -> e.name().equals("ping"));
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().path("error").path("type").asText()).isEqualTo("overloaded_error");
        assertThat(events).noneMatch(e -> e.name().equals("message_stop"));
    }
}
