package dev.sluice.endpoint;

import dev.sluice.error.ErrorKind;
import dev.sluice.error.GatewayException;
import dev.sluice.routing.Pool;
import dev.sluice.routing.Route;
import dev.sluice.routing.Router;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Turns the model name a client sent into a route, or the error that explains why there is none. */
public final class ModelRouting {
    private ModelRouting() {}

    /** The model a request names, after defaulting an absent one to the only named alias, if there is one. */
    public static String effectiveModel(Router router, String clientModel) {
        if (clientModel != null && !clientModel.isEmpty()) {
            return clientModel;
        }
        List<Pool> named = router.namedPools();
        return named.size() == 1 ? named.get(0).alias() : null;
    }

    public static Route route(Router router, String clientModel, boolean anthropic) {
        String model = effectiveModel(router, clientModel);
        if (model == null) {
            throw GatewayException.invalid(anthropic ? "model: Field required"
                    : "'model' is required; GET /v1/models lists what this gateway serves", "model");
        }
        Route route = router.route(model);
        if (route == null) {
            String served = router.namedPools().stream().map(p -> "'" + p.alias() + "'")
                    .collect(Collectors.joining(", "));
            throw new GatewayException(ErrorKind.NOT_FOUND, 404, (anthropic ? "model: " : "The model ")
                    + "'" + model + "' does not exist on this gateway; it serves " + served
                    + " (see GET /v1/models; MODEL_ALIASES can map other names)", "model",
                    anthropic ? null : "model_not_found", Map.of());
        }
        return route;
    }
}
