package dev.sluice.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code sluice keys create|list|show|revoke|rotate ...}: a client of a running gateway's key admin API over HTTP.
 * The gateway is {@code --url} or SLUICE_URL (default http://127.0.0.1:8000), the master key {@code --master-key} or
 * SLUICE_MASTER_KEY. A created or rotated secret is printed once, on its own line, and nowhere else.
 * Exit status: 0 done, 1 the gateway refused or could not be reached, 2 wrong arguments.
 */
public final class KeysCommand {
    static final String DEFAULT_URL = "http://127.0.0.1:8000";

    private KeysCommand() {}

    public static String usage() {
        return """
                Usage: sluice keys COMMAND [options]

                Commands:
                  create NAME [--models a,b] [--rpm N] [--tpm N] [--expires ISO8601 | --ttl SECONDS]
                              [--priority N] [--metadata JSON]   create a key; prints its secret once
                              [--daily-budget USD] [--monthly-budget USD]
                  list                                           list keys (never secrets)
                  show NAME                                      show one key
                  revoke NAME                                    revoke a key
                  rotate NAME [--grace SECONDS]                  new secret; the old one works for the grace
                                                                 period (default 86400)
                Options:
                  --url URL          the gateway (default $SLUICE_URL, else http://127.0.0.1:8000)
                  --master-key KEY   the master key (default $SLUICE_MASTER_KEY; prefer the variable: an argument
                                     shows in the process list)
                """;
    }

    /** Runs one command; returns the exit status. */
    public static int run(List<String> args, Function<String, String> env, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        ObjectNode body = AdminKey.MAPPER.createObjectNode();
        String url = env.apply("SLUICE_URL");
        String master = env.apply("SLUICE_MASTER_KEY");
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(usage());
                        return 0;
                    }
                    case "--url" -> url = value(args, ++i, a);
                    case "--master-key" -> master = value(args, ++i, a);
                    case "--models" -> {
                        var list = body.putArray("models");
                        for (String m : value(args, ++i, a).split(",")) {
                            if (!m.isBlank()) {
                                list.add(m.trim());
                            }
                        }
                    }
                    case "--rpm" -> body.put("rpm", number(value(args, ++i, a), a));
                    case "--tpm" -> body.put("tpm", number(value(args, ++i, a), a));
                    case "--priority" -> body.put("priority", number(value(args, ++i, a), a));
                    case "--ttl" -> body.put("ttl_seconds", number(value(args, ++i, a), a));
                    case "--grace" -> body.put("grace_seconds", number(value(args, ++i, a), a));
                    case "--expires" -> body.put("expires_at", value(args, ++i, a));
                    case "--daily-budget", "--monthly-budget" -> budget(body).put(a.substring(2, a.indexOf('-', 2)),
                            dollars(value(args, ++i, a), a));
                    case "--metadata" -> {
                        try {
                            body.set("metadata", AdminKey.MAPPER.readTree(value(args, ++i, a)));
                        } catch (IOException e) {
                            throw new IllegalArgumentException("--metadata needs a JSON object, e.g."
                                    + " '{\"owner\":\"team-a\"}'");
                        }
                    }
                    default -> {
                        if (a.startsWith("-")) {
                            throw new IllegalArgumentException("unknown option '" + a + "'");
                        }
                        positional.add(a);
                    }
                }
            }
            if (positional.isEmpty()) {
                throw new IllegalArgumentException("a command is needed: create, list, show, revoke or rotate");
            }
            if (master == null || master.isBlank()) {
                throw new IllegalArgumentException("no master key: set SLUICE_MASTER_KEY or pass --master-key");
            }
        } catch (IllegalArgumentException e) {
            err.println("sluice keys: " + e.getMessage());
            err.print(usage());
            return 2;
        }
        String base = (url == null || url.isBlank() ? DEFAULT_URL : url.trim()).replaceAll("/+$", "");
        String command = positional.get(0);
        String name = positional.size() > 1 ? positional.get(1) : null;
        boolean needsName = !command.equals("list");
        if (needsName && name == null || positional.size() > 2 || !needsName && name != null) {
            err.println("sluice keys: " + command + (needsName ? " takes one NAME" : " takes no NAME"));
            return 2;
        }
        String path = name == null ? "/admin/keys" : "/admin/keys/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        HttpRequest.Builder req;
        switch (command) {
            case "create" -> {
                body.put("name", name);
                req = post(base + "/admin/keys", body);
            }
            case "list", "show" -> req = HttpRequest.newBuilder(URI.create(base + path)).GET();
            case "revoke" -> req = HttpRequest.newBuilder(URI.create(base + path)).DELETE();
            case "rotate" -> req = post(base + path + "/rotate", body);
            default -> {
                err.println("sluice keys: unknown command '" + command + "' (create, list, show, revoke, rotate)");
                return 2;
            }
        }
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            r = http.send(req.header("Authorization", "Bearer " + master.trim()).timeout(Duration.ofSeconds(30))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException | IllegalArgumentException e) {
            err.println("sluice keys: cannot reach " + base + " (" + e.getClass().getSimpleName() + ")");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        JsonNode json;
        try {
            json = AdminKey.MAPPER.readTree(r.body());
        } catch (IOException e) {
            json = null;
        }
        if (r.statusCode() >= 300 || json == null) {
            String message = json == null ? "HTTP " + r.statusCode() : json.path("error").path("message").asText();
            err.println("sluice keys: " + command + " refused (" + r.statusCode() + "): " + message);
            return 1;
        }
        print(command, json, out);
        return 0;
    }

    private static void print(String command, JsonNode json, PrintStream out) {
        switch (command) {
            case "list" -> {
                out.printf("%-24s %-22s %-8s %-10s %-14s %-25s %s%n", "NAME", "HINT", "RPM", "TPM", "BUDGET D/M",
                        "EXPIRES", "MODELS");
                for (JsonNode k : json.path("data")) {
                    JsonNode b = k.path("budget");
                    out.printf("%-24s %-22s %-8s %-10s %-14s %-25s %s%n", k.path("name").asText(),
                            k.path("hint").asText(), shown(k.path("rpm")), shown(k.path("tpm")),
                            b.isObject() ? shown(b.path("daily")) + "/" + shown(b.path("monthly")) : "-",
                            shown(k.path("expires_at")),
                            k.path("models").isEmpty() ? "all" : String.join(",", texts(k.path("models"))));
                }
            }
            case "revoke" -> out.println("revoked " + json.path("name").asText());
            case "create", "rotate" -> {
                ObjectNode shown = ((ObjectNode) json).deepCopy();
                String secret = shown.remove("secret").asText();
                out.println(shown.toPrettyString());
                out.println();
                out.println("secret (shown once, store it now): " + secret);
                if (command.equals("rotate") && !json.path("previous_secret_valid_until").isNull()) {
                    out.println("the old secret works until " + json.path("previous_secret_valid_until").asText());
                }
            }
            default -> out.println(json.toPrettyString());
        }
    }

    private static HttpRequest.Builder post(String url, ObjectNode body) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private static String value(List<String> args, int i, String name) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args.get(i);
    }

    private static ObjectNode budget(ObjectNode body) {
        return body.get("budget") instanceof ObjectNode b ? b : body.putObject("budget");
    }

    private static java.math.BigDecimal dollars(String s, String name) {
        try {
            return new java.math.BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs an amount of US dollars, e.g. 5 or 2.50, not '" + s
                    + "'");
        }
    }

    private static long number(String s, String name) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, not '" + s + "'");
        }
    }

    private static String shown(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? "-" : n.asText();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
