package dev.sluice.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.Map;

/**
 * Checks a rendered object against the Kubernetes API types, as fabric8's generated model spells them.
 *
 * <p>fabric8's classes keep every field they do not know in an "additional properties" map (an
 * {@code @JsonAnySetter}), which is right for a client talking to newer servers but would let
 * {@code readinesProbe} or {@code terminationGracePeriod} through unnoticed. Here the any-setters are
 * switched off and unknown properties fail, so a misspelled or misplaced field names itself, with its
 * path. Wrong types (a string where an integer belongs, a map where a list belongs) fail as well.
 */
final class KubernetesSchema {
    /** The kinds the chart and the examples may render, by apiVersion and kind. */
    private static final Map<String, Class<?>> TYPES = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "apps/v1/Deployment", Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

    private static final ObjectMapper STRICT = strictMapper();

    private static ObjectMapper strictMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return Boolean.FALSE;
                    }
                })
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                // the API server refuses "8000" for an integer and 8000 for a string (an env value, a
                // ConfigMap entry): so does this mapper, both ways
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    private KubernetesSchema() {}

    /** Parses {@code object} into its API type; returns the typed object, or throws naming the bad field. */
    static <T> T check(JsonNode object) {
        String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        Class<?> type = TYPES.get(key);
        if (type == null) {
            throw new AssertionError("no API type known for " + key + " (" + object.path("metadata").path("name").asText()
                    + "): add it to KubernetesSchema so that it is checked");
        }
        try {
            @SuppressWarnings("unchecked")
            T typed = (T) STRICT.treeToValue(object, type);
            return typed;
        } catch (Exception e) {
            throw new AssertionError(key + " " + object.path("metadata").path("name").asText()
                    + " does not match the Kubernetes API: " + e.getMessage(), e);
        }
    }
}
