package dev.sluice.routing;

import dev.sluice.backend.BackendHealth;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Readiness of the whole router: ready when every pool has at least one deployment that answers its
 * health probe and is not ejected. Probe results are cached per deployment ({@link BackendHealth}).
 */
public final class RouterHealth {
    /** One deployment's state for /health. */
    public record DeploymentState(String id, String alias, String kind, String url, boolean reachable,
            boolean ejected, long probeMillis) {}

    private final Router router;
    private final Map<Upstream, BackendHealth> probes = new IdentityHashMap<>();

    public RouterHealth(Router router) {
        this.router = router;
        for (Pool p : router.pools()) {
            for (Upstream u : p.upstreams()) {
                probes.computeIfAbsent(u, x -> new BackendHealth(x.backend()));
            }
        }
    }

    public CompletableFuture<List<DeploymentState>> states() {
        List<CompletableFuture<DeploymentState>> all = new ArrayList<>();
        long now = System.nanoTime();
        for (Pool p : router.pools()) {
            for (Upstream u : p.upstreams()) {
                BackendHealth h = probes.get(u);
                all.add(h.check().thenApply(ok -> new DeploymentState(u.id(), p.alias(), u.profile().kind().id(),
                        u.backend().location(), ok, u.ejected(now), h.lastLatencyMillis())));
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    public CompletableFuture<Boolean> ready() {
        return states().thenApply(states -> {
            for (Pool p : router.pools()) {
                boolean any = states.stream().anyMatch(s -> s.alias().equals(p.alias()) && s.reachable() && !s.ejected());
                if (!any) {
                    return false;
                }
            }
            return true;
        });
    }
}
