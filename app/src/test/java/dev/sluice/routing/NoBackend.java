package dev.sluice.routing;

import dev.sluice.backend.Backend;
import dev.sluice.backend.BackendKind;
import dev.sluice.backend.BackendProfile;
import dev.sluice.backend.UpstreamCall;
import dev.sluice.backend.UpstreamExchange;
import java.util.concurrent.CompletableFuture;

/** A vLLM-profiled backend that is never called: choosing and admitting need only identities. */
final class NoBackend implements Backend {
    @Override
    public BackendProfile profile() {
        return BackendProfile.of(BackendKind.VLLM);
    }

    @Override
    public CompletableFuture<UpstreamExchange> send(UpstreamCall call) {
        throw new AssertionError("nothing is sent here");
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public String location() {
        return "nowhere";
    }
}
