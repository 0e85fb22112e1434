package dev.sluice.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.helm.Chart.Install;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The examples in examples/kubernetes/ agree with each other: each runtime URL in a config file is a
 * Service that exists where the URL says, and the NetworkPolicy lets the gateway reach the pods behind it.
 * A renamed Service, a changed port or a label typo would otherwise surface only as a 502 in someone's
 * cluster.
 */
class KubernetesExamplesTest {
    private static final String RUNTIMES = "runtimes.yaml";

    @Test
    void theRuntimeManifestsAreValidKubernetesObjects() throws IOException {
        Rendered runtimes = runtimes();
        assertEquals(List.of("Deployment", "Service", "Deployment", "Service"), runtimes.kinds());
        for (JsonNode o : runtimes.objects()) {
            KubernetesSchema.check(o);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vllm-ollama.values.yaml", "redis-two-replicas.values.yaml", "production-stack.values.yaml"})
    void everyRuntimeUrlIsAClusterServiceTheNetworkPolicyLetsTheGatewayReach(String example) throws IOException {
        Install install = Install.example(example);
        Rendered sluice = Chart.render(install);
        JsonNode egress = sluice.one("NetworkPolicy").path("spec").path("egress");
        JsonNode file = Chart.YAML.readTree(sluice.one("ConfigMap").path("data").path("sluice.yaml").asText());
        assertFalse(file.path("model_list").isEmpty());
        for (JsonNode entry : file.path("model_list")) {
            URI url = URI.create(entry.path("params").path("api_base").asText());
            String[] host = url.getHost().split("\\.");
            assertTrue(url.getHost().endsWith(".svc.cluster.local") && host.length == 5,
                    () -> example + ": " + url + " is not <service>.<namespace>.svc.cluster.local");
            String service = host[0];
            String namespace = host[1];
            int servicePort = url.getPort() == -1 ? 80 : url.getPort();

            // where the example's own runtimes are, the URL must name one of their Services and its port
            Optional<Map<String, String>> podLabels = Optional.empty();
            Optional<Integer> podPort = Optional.empty();
            if (namespace.equals(Chart.NAMESPACE) && !example.startsWith("production-stack")) {
                JsonNode svc = runtimeService(service);
                JsonNode port = portOf(svc, servicePort);
                Map<String, String> selector = strings(svc.path("spec").path("selector"));
                JsonNode pod = runtimePodFor(selector);
                podLabels = Optional.of(strings(pod.path("metadata").path("labels")));
                podPort = Optional.of(containerPort(pod, port.path("targetPort").asText()));
            }
            assertTrue(reaches(egress, namespace, podLabels, podPort),
                    () -> example + ": no NetworkPolicy egress rule reaches " + url + " in namespace " + namespace
                            + ": " + egress);
        }
    }

    /** Whether some egress rule admits the pods: namespace (absent: the release's own), labels, port. */
    private static boolean reaches(JsonNode egress, String namespace, Optional<Map<String, String>> podLabels,
            Optional<Integer> port) {
        for (JsonNode rule : egress) {
            boolean portOk = port.isEmpty() || portsOf(rule).contains(port.get());
            for (JsonNode peer : rule.path("to")) {
                JsonNode ns = peer.path("namespaceSelector").path("matchLabels");
                boolean nsOk = peer.has("namespaceSelector")
                        ? namespace.equals(ns.path("kubernetes.io/metadata.name").asText())
                        : namespace.equals(Chart.NAMESPACE);
                Map<String, String> selector = strings(peer.path("podSelector").path("matchLabels"));
                boolean podOk = podLabels.isEmpty() ? !selector.isEmpty()
                        : selector.entrySet().stream().allMatch(e -> e.getValue().equals(podLabels.get().get(e.getKey())))
                                && !selector.isEmpty();
                if (nsOk && podOk && portOk) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<Integer> portsOf(JsonNode rule) {
        List<Integer> ports = new ArrayList<>();
        rule.path("ports").forEach(p -> ports.add(p.path("port").asInt()));
        return ports;
    }

    private static Rendered runtimes() throws IOException {
        return Rendered.parse(Files.readString(Chart.EXAMPLES.resolve(RUNTIMES)));
    }

    private static JsonNode runtimeService(String name) throws IOException {
        return runtimes().all("Service").stream()
                .filter(s -> s.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Service " + name + " in " + RUNTIMES));
    }

    private static JsonNode portOf(JsonNode service, int port) {
        for (JsonNode p : service.path("spec").path("ports")) {
            if (p.path("port").asInt() == port) {
                return p;
            }
        }
        throw new AssertionError("Service " + service.path("metadata").path("name").asText() + " has no port " + port);
    }

    private static JsonNode runtimePodFor(Map<String, String> selector) throws IOException {
        Stream<JsonNode> pods = runtimes().all("Deployment").stream().map(d -> d.path("spec").path("template"));
        return pods.filter(t -> strings(t.path("metadata").path("labels")).entrySet().containsAll(selector.entrySet()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment in " + RUNTIMES + " has pods labelled " + selector));
    }

    /** The container port a Service's targetPort (a name or a number) resolves to. */
    private static int containerPort(JsonNode podTemplate, String targetPort) {
        for (JsonNode c : podTemplate.path("spec").path("containers")) {
            for (JsonNode p : c.path("ports")) {
                if (p.path("name").asText().equals(targetPort) || p.path("containerPort").asText().equals(targetPort)) {
                    return p.path("containerPort").asInt();
                }
            }
        }
        throw new AssertionError("no container port " + targetPort);
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
