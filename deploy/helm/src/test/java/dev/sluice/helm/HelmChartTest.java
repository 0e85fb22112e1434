package dev.sluice.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.sluice.helm.Chart.Install;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lints and renders the chart with its defaults and with every example's values, and checks what an
 * operator relies on in the result: the objects are valid Kubernetes objects, the probes, the drain
 * timing, the security settings, resources, labels and selectors, and that no credential is ever written
 * into a manifest.
 */
class HelmChartTest {
    /** Recognisable, so that a leak is unmistakable in a failure message. */
    private static final String FAKE_SECRET = "sk-FAKE-9f8e7d6c5b4a-never-in-a-manifest";

    private static final Set<String> ALWAYS = Set.of("ServiceAccount", "ConfigMap", "Service", "Deployment",
            "PodDisruptionBudget");

    /** Every rendering the chart is checked with, and the kinds each must produce (no more, no fewer). */
    static Stream<Arguments> installs() {
        return Stream.of(
                Arguments.of(Install.defaults(), ALWAYS),
                Arguments.of(Install.defaults().withRelease("team-gateway"), ALWAYS),
                Arguments.of(Install.example("vllm-ollama.values.yaml"), plus("NetworkPolicy")),
                Arguments.of(Install.example("redis-two-replicas.values.yaml"),
                        plus("NetworkPolicy", "HorizontalPodAutoscaler", "ServiceMonitor")),
                Arguments.of(Install.example("production-stack.values.yaml"), plus("NetworkPolicy")));
    }

    private static Set<String> plus(String... kinds) {
        Set<String> all = new HashSet<>(ALWAYS);
        all.addAll(List.of(kinds));
        return all;
    }

    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();

    private static Rendered rendered(Install install) {
        return RENDERED.computeIfAbsent(install.label(), k -> Chart.render(install));
    }

    @Test
    void theChartPassesHelmLintInStrictMode() {
        LintResult result = new Helm(Chart.DIR).lint().strict().call();
        List<String> problems = result.getMessages().stream()
                .filter(m -> m.startsWith("[ERROR]") || m.startsWith("[WARNING]"))
                .toList();
        assertFalse(result.isFailed(), () -> "helm lint --strict failed: " + result.getMessages());
        assertEquals(List.of(), problems);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void everyRenderedObjectIsAValidKubernetesObjectOfAnExpectedKind(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        assertEquals(kinds, new HashSet<>(r.kinds()), "kinds rendered");
        assertEquals(r.kinds().size(), new HashSet<>(r.kinds()).size(), () -> "a kind rendered twice: " + r.kinds());
        for (JsonNode object : r.objects()) {
            assertNotNull(KubernetesSchema.check(object));
            assertFalse(object.path("metadata").has("namespace"),
                    "objects take the release's namespace (helm -n), not one written in the chart");
        }
    }

    @Test
    void aMisspelledFieldFailsTheSchemaCheckAndNamesItself() {
        JsonNode deployment = rendered(Install.defaults()).deployment().deepCopy();
        ObjectNode container = (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
        container.set("readinesProbe", container.remove("readinessProbe"));
        AssertionError e = assertThrows(AssertionError.class, () -> KubernetesSchema.check(deployment));
        assertTrue(e.getMessage().contains("readinesProbe"), e::getMessage);

        JsonNode wrongType = rendered(Install.defaults()).deployment().deepCopy();
        ((ObjectNode) wrongType.path("spec")).put("replicas", "two");
        assertThrows(AssertionError.class, () -> KubernetesSchema.check(wrongType));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void livenessChecksLivezAndReadinessChecksReadyzOnTheGatewaysPort(Install install, Set<String> kinds) {
        JsonNode c = rendered(install).container();
        assertEquals("/livez", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/livez", c.path("startupProbe").path("httpGet").path("path").asText());
        assertEquals("/readyz", c.path("readinessProbe").path("httpGet").path("path").asText());
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertEquals("http", c.path(probe).path("httpGet").path("port").asText(), probe + " port");
        }
        JsonNode port = c.path("ports").get(0);
        assertEquals("http", port.path("name").asText());
        assertEquals(port.path("containerPort").asText(), rendered(install).envValue("API_PORT"),
                "API_PORT is the port the probes and the Service use");
        assertEquals("0.0.0.0", rendered(install).envValue("API_HOST"), "the gateway must listen beyond loopback");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void theGracePeriodCoversThePreStopDelayAndTheDrainDeadline(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        JsonNode preStop = r.container().path("lifecycle").path("preStop").path("exec").path("command");
        assertEquals("sleep", preStop.get(0).asText(), "preStop: " + preStop);
        int sleep = Integer.parseInt(preStop.get(1).asText());
        int drain = Integer.parseInt(r.envValue("DRAIN_TIMEOUT_S"));
        int grace = r.podSpec().path("terminationGracePeriodSeconds").asInt(-1);
        assertTrue(sleep > 0, "a preStop delay lets endpoints drop the pod before it stops taking requests");
        assertTrue(grace >= sleep + drain, () -> "terminationGracePeriodSeconds " + grace
                + " < preStop " + sleep + " + DRAIN_TIMEOUT_S " + drain + ": streams would be killed mid-drain");
        JsonNode values = Chart.effectiveValues(install);
        assertEquals(values.path("drain").path("timeoutSeconds").asInt(), drain, "DRAIN_TIMEOUT_S from drain.timeoutSeconds");
        assertEquals(values.path("drain").path("preStopSleepSeconds").asInt(), sleep);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void thePodRunsAsNonRootOnAReadOnlyRootFilesystemWithOnlyTmpWritable(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        JsonNode pod = r.podSpec().path("securityContext");
        JsonNode c = r.container().path("securityContext");
        assertTrue(pod.path("runAsNonRoot").asBoolean() && c.path("runAsNonRoot").asBoolean(), "runAsNonRoot");
        assertTrue(pod.path("runAsUser").asInt(0) > 0, "a non-zero runAsUser");
        assertEquals(10001, pod.path("runAsUser").asInt(), "the image's sluice user (deploy/Dockerfile)");
        assertTrue(c.path("readOnlyRootFilesystem").asBoolean(), "readOnlyRootFilesystem");
        assertFalse(c.path("allowPrivilegeEscalation").asBoolean(true), "allowPrivilegeEscalation");
        assertEquals("[\"ALL\"]", c.path("capabilities").path("drop").toString());
        assertFalse(r.podSpec().path("automountServiceAccountToken").asBoolean(true));
        assertFalse(r.podSpec().path("enableServiceLinks").asBoolean(true),
                "service links would put SLUICE_* variables into a gateway that reads SLUICE_*");

        List<String> writable = new ArrayList<>();
        for (JsonNode m : r.container().path("volumeMounts")) {
            if (!m.path("readOnly").asBoolean(false)) {
                writable.add(m.path("mountPath").asText());
            }
        }
        assertEquals(List.of("/tmp"), writable, "the JVM writes only to /tmp (deploy/Dockerfile)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void requestsAndLimitsAreSetAndTheHeapIsSizedFromTheMemoryLimit(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        JsonNode res = r.container().path("resources");
        for (String s : List.of("requests", "limits")) {
            assertFalse(res.path(s).path("memory").asText().isEmpty(), s + ".memory");
        }
        assertFalse(res.path("requests").path("cpu").asText().isEmpty(), "requests.cpu (the HPA's base)");
        String javaOpts = r.envValue("JAVA_OPTS");
        assertTrue(Pattern.compile("-XX:MaxRAMPercentage=\\d+").matcher(javaOpts).find(), javaOpts);
        assertFalse(javaOpts.contains("-Xmx"), "a fixed -Xmx would ignore the container limit: " + javaOpts);
        assertTrue(javaOpts.contains("-Djava.io.tmpdir=/tmp"), "the image's other flags are kept: " + javaOpts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void everyObjectCarriesTheSameLabelsAndEverySelectorMatchesTheGatewayPods(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        JsonNode podLabels = r.deployment().path("spec").path("template").path("metadata").path("labels");
        String fullname = r.deployment().path("metadata").path("name").asText();
        Map<String, String> common = null;
        for (JsonNode o : r.objects()) {
            Map<String, String> labels = strings(o.path("metadata").path("labels"));
            assertEquals(install.release(), labels.get("app.kubernetes.io/instance"), o.path("kind") + " instance");
            assertEquals("sluice", labels.get("app.kubernetes.io/name"), o.path("kind") + " name");
            assertEquals("Helm", labels.get("app.kubernetes.io/managed-by"), o.path("kind") + " managed-by");
            Map<String, String> standard = new LinkedHashMap<>(labels);
            standard.keySet().retainAll(Set.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
                    "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "helm.sh/chart"));
            assertEquals(5, standard.size(), () -> o.path("kind") + " lacks standard labels: " + labels);
            if (common == null) {
                common = standard;
            }
            assertEquals(common, standard, o.path("kind") + " labels differ from the others'");
            assertEquals(fullname, o.path("metadata").path("name").asText(), o.path("kind") + " name");
        }
        assertTrue(fullname.contains(install.release()) && fullname.length() <= 63, fullname);

        assertSelects(r.deployment().path("spec").path("selector").path("matchLabels"), podLabels, "Deployment");
        assertSelects(r.one("Service").path("spec").path("selector"), podLabels, "Service");
        assertSelects(r.one("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"), podLabels, "PDB");
        JsonNode spread = r.podSpec().path("topologySpreadConstraints");
        for (JsonNode c : spread) {
            assertSelects(c.path("labelSelector").path("matchLabels"), podLabels, "topologySpreadConstraint");
        }
        r.find("NetworkPolicy").ifPresent(np ->
                assertSelects(np.path("spec").path("podSelector").path("matchLabels"), podLabels, "NetworkPolicy"));
        r.find("HorizontalPodAutoscaler").ifPresent(hpa -> {
            JsonNode target = hpa.path("spec").path("scaleTargetRef");
            assertEquals("Deployment", target.path("kind").asText());
            assertEquals(fullname, target.path("name").asText(), "the HPA scales this chart's Deployment");
            assertFalse(r.deployment().path("spec").has("replicas"),
                    "with an HPA the Deployment leaves replicas to it, or every upgrade resets the count");
        });
        r.find("ServiceMonitor").ifPresent(sm -> {
            JsonNode service = r.one("Service");
            assertSelects(sm.path("spec").path("selector").path("matchLabels"), service.path("metadata").path("labels"),
                    "ServiceMonitor");
            JsonNode endpoint = sm.path("spec").path("endpoints").get(0);
            assertEquals("/metrics", endpoint.path("path").asText());
            assertEquals(service.path("spec").path("ports").get(0).path("name").asText(), endpoint.path("port").asText(),
                    "the ServiceMonitor scrapes the Service's named port");
            assertEquals("[\"" + Chart.NAMESPACE + "\"]",
                    sm.path("spec").path("namespaceSelector").path("matchNames").toString());
        });
        assertEquals("http", r.one("Service").path("spec").path("ports").get(0).path("targetPort").asText());
    }

    private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
        Map<String, String> s = strings(selector);
        assertFalse(s.isEmpty(), what + " has an empty selector: it would match every pod in the namespace");
        Map<String, String> l = strings(labels);
        s.forEach((k, v) -> assertEquals(v, l.get(k), what + " selector " + k + " does not match the pods " + l));
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static final Pattern CREDENTIAL = Pattern.compile("(^|_)(KEY|KEYS|TOKEN|PASSWORD|SECRET|CREDENTIALS)$");

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void credentialsReachThePodOnlyThroughSecretReferences(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        assertFalse(r.kinds().contains("Secret"), "the chart never creates a Secret: it would hold a value from values");
        for (JsonNode e : r.container().path("env")) {
            String name = e.path("name").asText();
            if (CREDENTIAL.matcher(name).find()) {
                assertFalse(e.has("value"), name + " has a literal value");
                assertFalse(e.path("valueFrom").path("secretKeyRef").path("name").asText().isEmpty(),
                        name + " must come from a Secret: " + e);
            }
            if (name.equals("REDIS_URL") && e.has("value")) {
                assertFalse(e.path("value").asText().contains("@"), "a literal REDIS_URL must carry no password");
            }
        }
        JsonNode values = Chart.effectiveValues(install);
        if (!values.path("auth").path("existingSecret").asText().isEmpty()) {
            JsonNode keys = r.env("API_KEYS").orElseThrow();
            assertEquals(values.path("auth").path("existingSecret").asText(),
                    keys.path("valueFrom").path("secretKeyRef").path("name").asText());
        }
        r.find("ConfigMap").ifPresent(cm -> {
            JsonNode file = parse(cm.path("data").path("sluice.yaml").asText());
            for (String path : credentialPaths(file)) {
                String v = at(file, path).asText();
                assertTrue(v.startsWith("os.environ/") || v.startsWith("${"), path + " is inline in the ConfigMap");
                String var = v.startsWith("${") ? v.substring(2, v.length() - 1) : v.substring("os.environ/".length());
                assertTrue(r.env(var).map(e -> e.has("valueFrom")).orElse(false),
                        path + " refers to " + var + ", which the pod does not get from a Secret");
            }
        });
    }

    /** Every place a values file could carry a credential, each with FAKE_SECRET written inline. */
    static Stream<Arguments> inlineSecrets() {
        return Stream.of(
                Arguments.of("env.BACKEND_API_KEY", "looks like a credential", "env:\n  BACKEND_API_KEY: " + FAKE_SECRET + "\n"),
                Arguments.of("env.API_KEYS", "looks like a credential", "env:\n  API_KEYS: " + FAKE_SECRET + "\n"),
                Arguments.of("env.HF_TOKEN", "looks like a credential", "env:\n  HF_TOKEN: " + FAKE_SECRET + "\n"),
                Arguments.of("env.REDIS_URL", "is set by the chart", "env:\n  REDIS_URL: redis://:" + FAKE_SECRET + "@redis:6379\n"),
                Arguments.of("redis.url", "carries credentials", "redis:\n  url: redis://:" + FAKE_SECRET + "@redis:6379/0\n"),
                Arguments.of("config.file.general_settings.master_key", "is written inline", """
                        config:
                          file:
                            model_list: [{model_name: sim, params: {model: sim/sim}}]
                            general_settings: {master_key: %s}
                        """.formatted(FAKE_SECRET)),
                Arguments.of("config.file.general_settings.redis_url", "carries credentials inline", """
                        config:
                          file:
                            model_list: [{model_name: sim, params: {model: sim/sim}}]
                            general_settings: {redis_url: "redis://:%s@redis:6379"}
                        """.formatted(FAKE_SECRET)),
                Arguments.of("config.file.keys[0].key", "is written inline", """
                        config:
                          file:
                            model_list: [{model_name: sim, params: {model: sim/sim}}]
                            keys: [{name: team-a, key: %s}]
                        """.formatted(FAKE_SECRET)),
                Arguments.of("config.file.model_list[0].params.api_key", "is written inline", """
                        config:
                          file:
                            model_list: [{model_name: gpt, params: {model: openai/gpt-4o-mini, api_key: %s}}]
                        """.formatted(FAKE_SECRET)),
                Arguments.of("config.file.model_list[0].litellm_params.api_key", "is written inline", """
                        config:
                          file:
                            model_list: [{model_name: gpt, litellm_params: {model: openai/gpt-4o-mini, api_key: %s}}]
                        """.formatted(FAKE_SECRET)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inlineSecrets")
    void aCredentialWrittenInlineIsRefusedWithoutBeingEchoed(String path, String reason, String yaml) {
        Install install = Install.example("redis-two-replicas.values.yaml").with(Chart.values(yaml));
        String message = Chart.refusal(install);
        assertFalse(message.contains(FAKE_SECRET), "the refusal repeats the secret: " + message);
        assertTrue(message.contains(path + " " + reason), () -> "the refusal says " + path + " " + reason + ": " + message);
        assertTrue(message.contains("Secret"), () -> "says where the value belongs instead: " + message);
    }

    @Test
    void aReferenceToAVariableNoSecretProvidesIsRefused() {
        String message = Chart.refusal(Install.defaults().with(Chart.values("""
                config:
                  file:
                    model_list: [{model_name: gpt, params: {model: openai/gpt-4o-mini, api_key: os.environ/OPENAI_API_KEY}}]
                """)));
        assertTrue(message.contains("OPENAI_API_KEY") && message.contains("extraSecretEnv"), message);

        Rendered fixed = Chart.render(Install.defaults().with(Chart.values("""
                config:
                  file:
                    model_list: [{model_name: gpt, params: {model: openai/gpt-4o-mini, api_key: "${OPENAI_API_KEY}"}}]
                extraSecretEnv: [{name: OPENAI_API_KEY, secretName: upstream-keys, key: openai}]
                """)));
        assertEquals("upstream-keys",
                fixed.env("OPENAI_API_KEY").orElseThrow().path("valueFrom").path("secretKeyRef").path("name").asText());
    }

    @Test
    void theMasterKeyComesFromTheNamedSecretAndTheConfigFilePointsAtIt() {
        Rendered r = rendered(Install.example("vllm-ollama.values.yaml"));
        JsonNode ref = r.env("SLUICE_MASTER_KEY").orElseThrow().path("valueFrom").path("secretKeyRef");
        assertEquals("sluice-keys", ref.path("name").asText());
        assertEquals("master-key", ref.path("key").asText());
        JsonNode file = parse(r.one("ConfigMap").path("data").path("sluice.yaml").asText());
        assertEquals("os.environ/SLUICE_MASTER_KEY", file.path("general_settings").path("master_key").asText());
        assertEquals(2, file.path("general_settings").path("num_retries").asInt(), "the example's own settings are kept");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void theConfigMapHoldsTheValuesConfigFileWhereSluiceConfigPoints(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        JsonNode cm = r.one("ConfigMap");
        JsonNode expected = Chart.effectiveValues(install).path("config").path("file").deepCopy();
        if (!Chart.effectiveValues(install).path("auth").path("masterKeyKey").asText().isEmpty()) {
            ((ObjectNode) expected).withObject("general_settings").put("master_key", "os.environ/SLUICE_MASTER_KEY");
        }
        assertEquals(expected, parse(cm.path("data").path("sluice.yaml").asText()));

        String path = r.envValue("SLUICE_CONFIG");
        JsonNode mount = null;
        for (JsonNode m : r.container().path("volumeMounts")) {
            if (path.startsWith(m.path("mountPath").asText() + "/")) {
                mount = m;
            }
        }
        assertNotNull(mount, "SLUICE_CONFIG=" + path + " is under no volume mount");
        assertFalse(mount.has("subPath"), "a subPath mount never sees ConfigMap updates");
        String volume = mount.path("name").asText();
        JsonNode source = null;
        for (JsonNode v : r.podSpec().path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                source = v.path("configMap");
            }
        }
        assertNotNull(source);
        assertEquals(cm.path("metadata").path("name").asText(), source.path("name").asText());
        assertTrue(cm.path("data").has(path.substring(path.lastIndexOf('/') + 1)), "the file name in the ConfigMap");
    }

    @Test
    void aConfigChangeRollsThePodsUnlessHotReloadIsOn() {
        Install base = Install.defaults();
        Install changed = base.set("config.file.general_settings.num_retries", "5");
        String before = checksum(Chart.render(base));
        assertNotNull(before, "checksum/config annotation");
        assertEquals(before, checksum(Chart.render(base)), "the same config gives the same checksum");
        assertNotEquals(before, checksum(Chart.render(changed)), "a changed config must change the pod template");

        Rendered hot = Chart.render(base.set("config.hotReload", "true"));
        Rendered hotChanged = Chart.render(changed.set("config.hotReload", "true"));
        assertEquals(null, checksum(hot));
        assertEquals(hot.deployment(), hotChanged.deployment(),
                "with hot reload a config change must leave the Deployment, and so the pods, as they are");
        assertNotEquals(hot.one("ConfigMap"), hotChanged.one("ConfigMap"));
    }

    private static String checksum(Rendered r) {
        JsonNode a = r.deployment().path("spec").path("template").path("metadata").path("annotations").path("checksum/config");
        return a.isMissingNode() ? null : a.asText();
    }

    @Test
    void withoutAConfigFileTheGatewayRunsFromItsEnvironmentAlone() {
        Rendered r = Chart.render(Install.defaults().with(Chart.values("""
                config:
                  file: null
                env:
                  BACKEND_KIND: vllm
                  BACKEND_BASE_URL: http://vllm.llm.svc.cluster.local:8000/v1
                  MODEL_NAME: qwen2.5-7b
                """)));
        assertFalse(r.kinds().contains("ConfigMap"), "no file, no ConfigMap: " + r.kinds());
        assertTrue(r.env("SLUICE_CONFIG").isEmpty());
        assertEquals(null, checksum(r));
        assertEquals("vllm", r.envValue("BACKEND_KIND"));
        for (JsonNode o : r.objects()) {
            KubernetesSchema.check(o);
        }
        String cutOff = Chart.refusal(Install.defaults().with(Chart.values("""
                config:
                  file: null
                env:
                  BACKEND_KIND: vllm
                networkPolicy:
                  enabled: true
                """)));
        assertTrue(cutOff.contains("networkPolicy.runtimes"), cutOff);
        String master = Chart.refusal(Install.defaults().with(Chart.values("""
                config:
                  file: null
                auth: {existingSecret: sluice-keys, masterKeyKey: master-key}
                """)));
        assertTrue(master.contains("auth.masterKeyKey needs config.file"), master);
    }

    @Test
    void moreThanOneReplicaWithoutRedisIsRefusedAndTheMessageSaysWhy() {
        String message = Chart.refusal(Install.defaults().set("replicaCount", "3"));
        assertTrue(message.contains("replicaCount=3 needs Redis"), message);
        assertTrue(message.contains("3 times its limit"), message);
        assertTrue(message.contains("redis.url") && message.contains("redis.allowPerReplicaLimits"), message);

        String hpa = Chart.refusal(Install.defaults().set("autoscaling.enabled", "true"));
        assertTrue(hpa.contains("autoscaling.maxReplicas=6 needs Redis"), hpa);

        Rendered accepted = Chart.render(Install.defaults().set("replicaCount", "3")
                .set("redis.allowPerReplicaLimits", "true"));
        assertEquals(3, accepted.deployment().path("spec").path("replicas").asInt());
        assertTrue(accepted.env("REDIS_URL").isEmpty());

        Rendered withRedis = Chart.render(Install.defaults().set("replicaCount", "3")
                .set("redis.url", "redis://redis-master.redis.svc.cluster.local:6379/0"));
        assertEquals("redis://redis-master.redis.svc.cluster.local:6379/0", withRedis.envValue("REDIS_URL"));
        assertEquals("3", withRedis.envValue("REDIS_REPLICAS_HINT"));
    }

    @Test
    void theRedisReplicasHintIsTheLargestNumberOfReplicasTheAutoscalerMayRun() {
        Rendered r = rendered(Install.example("redis-two-replicas.values.yaml"));
        assertEquals(Chart.effectiveValues(Install.example("redis-two-replicas.values.yaml"))
                .path("autoscaling").path("maxReplicas").asText(), r.envValue("REDIS_REPLICAS_HINT"));
        assertEquals(r.one("HorizontalPodAutoscaler").path("spec").path("maxReplicas").asText(),
                r.envValue("REDIS_REPLICAS_HINT"));
    }

    @Test
    void aGracePeriodShorterThanPreStopPlusDrainIsRefused() {
        String message = Chart.refusal(Install.defaults().set("terminationGracePeriodSeconds", "20"));
        assertTrue(message.contains("terminationGracePeriodSeconds=20") && message.contains("= 35"), message);
        Rendered longer = Chart.render(Install.defaults().set("drain.timeoutSeconds", "600"));
        assertEquals(615, longer.podSpec().path("terminationGracePeriodSeconds").asInt(),
                "preStop 5 + drain 600 + 10 s for the JVM to exit");
    }

    /** Bad values and the words Helm's refusal must contain, so the operator can find the mistake. */
    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("replicaCont=2", Map.of("replicaCont", "2"), "replicaCont"),
                Arguments.of("replicaCount=-1", Map.of("replicaCount", "-1"), "replicaCount"),
                Arguments.of("drain.timeoutSeconds=thirty", Map.of("drain.timeoutSeconds", "thirty"), "timeoutSeconds"),
                Arguments.of("drain.timeoutSecond=60", Map.of("drain.timeoutSecond", "60"), "timeoutSecond"),
                Arguments.of("image.pullPolicy=Sometimes", Map.of("image.pullPolicy", "Sometimes"), "pullPolicy"),
                Arguments.of("resources.limits=null", Map.of("resources.limits", "null"), "limits"),
                Arguments.of("jvm.maxRAMPercentage=95", Map.of("jvm.maxRAMPercentage", "95"), "maxRAMPercentage"),
                Arguments.of("auth.existingSecret=Keys_1", Map.of("auth.existingSecret", "Keys_1"), "existingSecret"),
                Arguments.of("env.API_PORT=9000", Map.of("env.API_PORT", "9000"), "env.API_PORT"),
                Arguments.of("serviceMonitor with METRICS_ENABLED=false",
                        Map.of("metrics.serviceMonitor.enabled", "true", "env.METRICS_ENABLED", "false"), "404"),
                Arguments.of("masterKeyKey without a Secret", Map.of("auth.masterKeyKey", "master"), "auth.existingSecret"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesFailAtInstallWithAMessageNamingTheValue(String label, Map<String, String> sets, String expected) {
        Install install = Install.defaults();
        for (Map.Entry<String, String> e : sets.entrySet()) {
            install = install.set(e.getKey(), e.getValue());
        }
        String message = Chart.refusal(install);
        assertTrue(message.contains(expected), () -> "the refusal of " + label + " does not name " + expected + ": "
                + message);
    }

    @Test
    void aNetworkPolicyThatWouldCutTheGatewayOffFromItsRuntimesOrRedisIsRefused() {
        String runtimes = Chart.refusal(Install.example("production-stack.values.yaml")
                .with(Chart.values("networkPolicy:\n  runtimes: []\n")));
        assertTrue(runtimes.contains("networkPolicy.runtimes"), runtimes);
        String redis = Chart.refusal(Install.example("redis-two-replicas.values.yaml")
                .with(Chart.values("networkPolicy:\n  redis:\n    to: []\n")));
        assertTrue(redis.contains("networkPolicy.redis.to"), redis);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void theNetworkPolicyLetsTheGatewayReachOnlyDnsItsRuntimesAndRedis(Install install, Set<String> kinds) {
        Rendered r = rendered(install);
        if (r.find("NetworkPolicy").isEmpty()) {
            return;
        }
        JsonNode spec = r.one("NetworkPolicy").path("spec");
        assertEquals("[\"Ingress\",\"Egress\"]", spec.path("policyTypes").toString());
        JsonNode values = Chart.effectiveValues(install).path("networkPolicy");
        boolean redis = r.env("REDIS_URL").isPresent();
        int expected = 1 + values.path("runtimes").size() + (redis ? 1 : 0) + values.path("extraEgress").size();
        assertEquals(expected, spec.path("egress").size(), "egress rules: DNS, each runtime, Redis, extras");
        for (JsonNode rule : spec.path("egress")) {
            assertFalse(rule.path("to").isEmpty(), "an egress rule without `to` lets the gateway reach anything: " + rule);
            assertFalse(rule.path("ports").isEmpty(), "an egress rule without ports opens every port: " + rule);
        }
        JsonNode dns = spec.path("egress").get(0).path("ports");
        assertTrue(dns.toString().contains("53"), "DNS first: " + dns);
        if (redis) {
            assertTrue(spec.path("egress").toString().contains("6379"), "Redis's port is open");
        }
        JsonNode ingress = spec.path("ingress");
        assertEquals(1, ingress.size());
        assertEquals("http", ingress.get(0).path("ports").get(0).path("port").asText(),
                "callers reach the gateway's port and nothing else");
    }

    @Test
    void theImageDefaultsToTheChartsAppVersionAndADigestPinsIt() throws IOException {
        JsonNode chart = Chart.YAML.readTree(Chart.DIR.resolve("Chart.yaml").toFile());
        Rendered r = rendered(Install.defaults());
        assertEquals("sluice:" + chart.path("appVersion").asText(), r.container().path("image").asText());
        assertEquals(chart.path("appVersion").asText(),
                r.deployment().path("metadata").path("labels").path("app.kubernetes.io/version").asText());
        String digest = "sha256:" + "a".repeat(64);
        Rendered pinned = Chart.render(Install.defaults().set("image.repository", "registry.example.com/sluice")
                .set("image.digest", digest));
        assertEquals("registry.example.com/sluice@" + digest, pinned.container().path("image").asText());
    }

    private static JsonNode parse(String yaml) {
        try {
            return Chart.YAML.readTree(yaml);
        } catch (IOException e) {
            return fail("not YAML: " + yaml, e);
        }
    }

    /** The config file's credential fields, as paths: master_key, keys[i].key, model_list[i].params.api_key. */
    private static List<String> credentialPaths(JsonNode file) {
        List<String> out = new ArrayList<>();
        if (file.path("general_settings").has("master_key")) {
            out.add("general_settings.master_key");
        }
        for (int i = 0; i < file.path("keys").size(); i++) {
            if (file.path("keys").get(i).has("key")) {
                out.add("keys." + i + ".key");
            }
        }
        for (int i = 0; i < file.path("model_list").size(); i++) {
            for (String section : List.of("params", "litellm_params")) {
                if (file.path("model_list").get(i).path(section).has("api_key")) {
                    out.add("model_list." + i + "." + section + ".api_key");
                }
            }
        }
        return out;
    }

    private static JsonNode at(JsonNode node, String dotted) {
        JsonNode n = node;
        for (String part : dotted.split("\\.")) {
            n = part.matches("\\d+") ? n.path(Integer.parseInt(part)) : n.path(part);
        }
        return n;
    }
}
