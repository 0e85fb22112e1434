package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.Version;
import dev.sluice.protocol.Json;
import jakarta.inject.Singleton;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI document that micronaut-openapi generates from the controllers at compile time, served as
 * JSON at /openapi.json and rendered as a plain page at /docs, so the docs cannot drift from the code.
 */
@Singleton
public final class ApiDocs {
    static final String RESOURCE = "META-INF/swagger/sluice-" + Version.VERSION + ".yml";

    private final JsonNode spec;
    private final String html;

    ApiDocs() {
        this.spec = load();
        this.html = render(spec);
    }

    JsonNode spec() {
        return spec;
    }

    String html() {
        return html;
    }

    private static JsonNode load() {
        try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return null;
            }
            Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            return Json.MAPPER.valueToTree(tree);
        } catch (Exception e) {
            return null;
        }
    }

    private static String render(JsonNode spec) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Sluice API</title><style>")
                .append("body{font-family:system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;}")
                .append("code{background:#f3f3f3;padding:0 .2rem}td,th{padding:.3rem .6rem;text-align:left;")
                .append("vertical-align:top;border-bottom:1px solid #ddd}</style></head><body>")
                .append("<h1>Sluice ").append(Version.VERSION).append("</h1>")
                .append("<p>A self-hosted LLM gateway speaking the OpenAI API. Send the API key as ")
                .append("<code>Authorization: Bearer &lt;key&gt;</code> or <code>x-api-key</code>. ")
                .append("Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>; interactive: ")
                .append("<a href=\"/reference\">/reference</a>.</p><table><tr><th>Method</th><th>Path</th>")
                .append("<th>What it does</th></tr>");
        if (spec != null) {
            for (Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields(); paths.hasNext(); ) {
                var p = paths.next();
                for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
                    var op = ops.next();
                    sb.append("<tr><td>").append(op.getKey().toUpperCase()).append("</td><td><code>")
                            .append(escape(p.getKey())).append("</code></td><td>")
                            .append(escape(op.getValue().path("summary").asText("")));
                    String d = op.getValue().path("description").asText("");
                    if (!d.isEmpty()) {
                        sb.append("<br><small>").append(escape(d)).append("</small>");
                    }
                    sb.append("</td></tr>");
                }
            }
        }
        return sb.append("</table></body></html>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
