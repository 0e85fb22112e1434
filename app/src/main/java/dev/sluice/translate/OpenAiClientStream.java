package dev.sluice.translate;

import dev.sluice.protocol.StreamAnswer;
import dev.sluice.protocol.StreamTranslator;

import dev.sluice.error.GatewayException;
import dev.sluice.protocol.openai.OpenAiErrors;
import dev.sluice.protocol.sse.SseEvent;
import java.util.List;

/**
 * What every translator towards an OpenAI client shares: the terminal state, what the runtime said of its answer
 * (for the spans), the OpenAI error chunk that ends a failed stream (never followed by {@code [DONE]}), and the
 * {@code : keep-alive} comment.
 */
abstract class OpenAiClientStream implements StreamTranslator {
    private static final byte[] KEEP_ALIVE = SseEvent.comment("keep-alive");

    /** The runtime's model and finish reasons, as subclasses read them from its events. */
    protected final StreamAnswer answer = new StreamAnswer();
    /** A terminal event has been emitted; subclasses set it for a normal end. */
    protected boolean terminated;
    private boolean failed;

    @Override
    public void onError(GatewayException error, List<byte[]> out) {
        if (!terminated) {
            fail(error, out);
        }
    }

    protected final void fail(GatewayException e, List<byte[]> out) {
        terminated = true;
        failed = true;
        out.add(OpenAiErrors.streamEvent(e));
    }

    @Override
    public final boolean terminated() {
        return terminated;
    }

    @Override
    public final boolean failed() {
        return failed;
    }

    @Override
    public final byte[] keepAlive() {
        return KEEP_ALIVE;
    }

    @Override
    public final StreamAnswer answer() {
        return answer;
    }
}
