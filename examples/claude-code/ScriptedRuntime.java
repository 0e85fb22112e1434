import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny scripted stand-in for an OpenAI-compatible runtime (vLLM flavour), so Claude Code can be driven
 * through Sluice without a GPU. It is not a model. Run it with the JDK alone (no build, no dependencies):
 *
 * <pre>java ScriptedRuntime.java --port-file rt.port --log requests.jsonl --command "echo sluice-ok"</pre>
 *
 * It binds 127.0.0.1 on a free port (or --port; written to --port-file) and answers
 * {@code POST /v1/chat/completions}, streaming or not:
 * <ul>
 *   <li>tools offered that include {@code Bash}, and no tool result yet in the conversation: one call of
 *       {@code Bash} with {@code {"command": <--command>}};</li>
 *   <li>the last message is a tool result: a final text that quotes it ("The command printed: ...");</li>
 *   <li>anything else (Claude Code's side requests: titles, topic checks, ...): a short plain text.</li>
 * </ul>
 * With {@code --context-limit N} it first answers 400 the way vLLM 0.10+ does when the prompt (characters / 4)
 * plus {@code max_tokens} exceeds N ("'max_tokens' or 'max_completion_tokens' is too large: ...").
 * {@code POST /tokenize} answers {@code {"count": N}} (N = characters / 4) as vLLM's tokenizer would, and
 * {@code GET /health} and {@code GET /v1/models} answer as vLLM does. Every request is appended to --log as
 * one JSON line (path, model, stream, max_tokens, message count, last role, what was answered).
 */
public final class ScriptedRuntime {
    private static final Pattern STRING_FIELD = Pattern.compile("\"%s\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static String command = "echo sluice-ok";
    private static Path log;
    private static long contextLimit = Long.MAX_VALUE;

    public static void main(String[] args) throws Exception {
        Path portFile = null;
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--port-file" -> portFile = Path.of(args[++i]);
                case "--log" -> log = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                case "--context-limit" -> contextLimit = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ScriptedRuntime::handle);
        server.start();
        int bound = server.getAddress().getPort();
        if (portFile != null) {
            Files.writeString(portFile, Integer.toString(bound));
        }
        System.err.println("scripted runtime listening on http://127.0.0.1:" + bound + "/v1");
    }

    private static void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            switch (ex.getRequestMethod() + " " + path) {
                case "GET /health" -> send(ex, 200, "application/json", "");
                case "GET /v1/models" -> send(ex, 200, "application/json", "{\"object\":\"list\",\"data\":[{\"id\":"
                        + "\"scripted\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"vllm\"}]}");
                case "POST /tokenize" -> {
                    record(path, body, "count");
                    send(ex, 200, "application/json", "{\"count\":" + Math.max(1, body.length() / 4)
                            + ",\"max_model_len\":131072,\"tokens\":[]}");
                }
                case "POST /v1/chat/completions" -> chat(ex, body);
                default -> send(ex, 404, "application/json", "{\"error\":{\"message\":\"no route " + path
                        + "\",\"type\":\"NotFoundError\",\"param\":null,\"code\":404}}");
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private static void chat(HttpExchange ex, String body) throws IOException {
        long prompt = Math.max(1, body.length() / 4);
        Matcher mt = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)").matcher(body);
        long maxTokens = mt.find() ? Long.parseLong(mt.group(1)) : 0;
        if (prompt + maxTokens > contextLimit) {
            // what vLLM answers when max_tokens does not fit next to the prompt
            record("/v1/chat/completions", body, "400 max_tokens " + maxTokens + " too large");
            send(ex, 400, "application/json", "{\"error\":{\"message\":\"'max_tokens' or 'max_completion_tokens' is"
                    + " too large: " + maxTokens + ". This model's maximum context length is " + contextLimit
                    + " tokens and your request has " + prompt + " input tokens (" + maxTokens + " > " + contextLimit
                    + " - " + prompt + "). None\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}");
            return;
        }
        boolean stream = body.matches("(?s).*\"stream\"\\s*:\\s*true.*");
        List<String> tools = strings(body.contains("\"tools\"") ? body.substring(body.indexOf("\"tools\"")) : "",
                "name");
        List<String> roles = strings(body, "role");
        String lastRole = roles.isEmpty() ? "" : roles.get(roles.size() - 1);
        String answer;
        String text = null;
        if ("tool".equals(lastRole)) {
            answer = "final";
            text = "The command printed: " + lastToolContent(body).strip();
        } else if (tools.contains("Bash") && !roles.contains("tool")) {
            answer = "tool_call";
        } else {
            answer = "text";
            text = "Sluice scripted reply";
        }
        record("/v1/chat/completions", body, answer + " tools=" + tools.size());
        String args = "{\"command\":" + quote(command) + ",\"description\":\"Run the Sluice check command\"}";
        if (!stream) {
            String message = text != null
                    ? "{\"role\":\"assistant\",\"content\":" + quote(text) + "}"
                    : "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"chatcmpl-tool-0001\","
                            + "\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"arguments\":" + quote(args) + "}}]}";
            send(ex, 200, "application/json", "{\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion\","
                    + "\"created\":1700000000,\"model\":\"scripted\",\"choices\":[{\"index\":0,\"message\":" + message
                    + ",\"finish_reason\":\"" + (text != null ? "stop" : "tool_calls") + "\"}],"
                    + "\"usage\":{\"prompt_tokens\":" + Math.max(1, body.length() / 4)
                    + ",\"completion_tokens\":12,\"total_tokens\":" + (Math.max(1, body.length() / 4) + 12) + "}}");
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        event(out, chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        if (text != null) {
            for (String piece : text.split("(?<= )")) {
                event(out, chunk("{\"content\":" + quote(piece) + "}", null));
            }
            event(out, chunk("{}", "stop"));
        } else {
            event(out, chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"chatcmpl-tool-0001\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"Bash\",\"arguments\":\"\"}}]}", null));
            int half = args.length() / 2;
            for (String piece : new String[] {args.substring(0, half), args.substring(half)}) {
                event(out, chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + quote(piece) + "}}]}",
                        null));
            }
            event(out, chunk("{}", "tool_calls"));
        }
        if (body.contains("\"include_usage\":true")) {
            event(out, "{\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"scripted\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt
                    + ",\"completion_tokens\":12,\"total_tokens\":" + (prompt + 12) + "}}");
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"scripted\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    private static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The content of the last {@code "role":"tool"} message (a JSON string). */
    private static String lastToolContent(String body) {
        int at = body.lastIndexOf("\"role\":\"tool\"");
        if (at < 0) {
            return "";
        }
        List<String> contents = strings(body.substring(at), "content");
        return contents.isEmpty() ? "" : contents.get(0);
    }

    /** Every string value of {@code field} in the JSON text, unescaped (enough for the gateway's compact JSON). */
    private static List<String> strings(String json, String field) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(STRING_FIELD.pattern().formatted(Pattern.quote(field))).matcher(json);
        while (m.find()) {
            out.add(unescape(m.group(1)));
        }
        return out;
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(n);
            }
        }
        return sb.toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static synchronized void record(String path, String body, String answer) {
        List<String> roles = strings(body, "role");
        String model = strings(body, "model").stream().findFirst().orElse("");
        Matcher mt = Pattern.compile("\"max_tokens\"\\s*:\\s*(\\d+)").matcher(body);
        String line = "{\"path\":" + quote(path) + ",\"model\":" + quote(model) + ",\"stream\":"
                + body.matches("(?s).*\"stream\"\\s*:\\s*true.*") + ",\"max_tokens\":" + (mt.find() ? mt.group(1) : "null")
                + ",\"messages\":" + roles.size()
                + ",\"last_role\":" + quote(roles.isEmpty() ? "" : roles.get(roles.size() - 1)) + ",\"answer\":"
                + quote(answer) + ",\"bytes\":" + body.length() + "}";
        System.err.println("runtime: " + line);
        if (log != null) {
            try {
                Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }
}
