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
 * A small scripted stand-in for an OpenAI-compatible runtime (vLLM flavour). It lets Codex CLI run through Sluice
 * without a GPU, and it is not a model. Codex speaks the Responses API to Sluice, and Sluice speaks chat
 * completions to this runtime. Run it with the JDK alone (no build, no dependencies):
 *
 * <pre>java ScriptedRuntime.java --port-file rt.port --log requests.jsonl --command "echo hello-codex-43"</pre>
 *
 * It binds 127.0.0.1 on a free port (or on --port), writes the port to --port-file, and answers
 * {@code POST /v1/chat/completions}, streamed or not:
 * <ul>
 *   <li>when Codex's shell tool {@code exec_command} is offered and no tool result is in the conversation yet,
 *       with one call of {@code exec_command} with {@code {"cmd": <--command>}};</li>
 *   <li>when the last message is a tool result, with a final text that quotes the command's output (the part of
 *       Codex's tool result after {@code Output:}): "The command printed: ...";</li>
 *   <li>when a user message follows the tool exchange, which is Codex asking for a compaction summary, with a
 *       summary that records the command's output;</li>
 *   <li>when that summary has replaced the history, with the final text, quoting the output from the summary;</li>
 *   <li>otherwise with a short plain text.</li>
 * </ul>
 * {@code GET /health} and {@code GET /v1/models} answer as vLLM does. Each chat request is appended to --log as
 * one JSON line: the path, the model, stream, the message count, the last role, the tool names offered, and the
 * answer given.
 */
public final class ScriptedRuntime {
    private static final String TOOL = "exec_command";
    /** Starts the summary this runtime writes when asked to compact, so it knows the summary when it comes back. */
    private static final String SUMMARY_TAG = "Scripted handoff summary: the command printed:";
    private static String command = "echo hello-codex-43";
    private static Path log;

    public static void main(String[] args) throws Exception {
        Path portFile = null;
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--port-file" -> portFile = Path.of(args[++i]);
                case "--log" -> log = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ScriptedRuntime::handle);
        server.start();
        int bound = server.getAddress().getPort();
        if (portFile != null) {
            Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
            Files.writeString(tmp, Integer.toString(bound));
            Files.move(tmp, portFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
        boolean stream = body.matches("(?s).*\"stream\"\\s*:\\s*true.*");
        int toolsAt = body.indexOf("\"tools\"");
        List<String> tools = strings(toolsAt < 0 ? "" : body.substring(toolsAt), "name");
        List<String> roles = strings(toolsAt < 0 ? body : body.substring(0, toolsAt), "role");
        String lastRole = roles.isEmpty() ? "" : roles.get(roles.size() - 1);
        String answer;
        String text = null;
        String summary = summaryIn(body);
        if ("tool".equals(lastRole)) {
            answer = "final";
            text = "The command printed: " + commandOutput(lastToolContent(body)).strip();
        } else if ("user".equals(lastRole) && summary != null) {
            answer = "final_from_summary";
            text = "The command printed: " + summary;
        } else if ("user".equals(lastRole) && roles.contains("tool")) {
            // a user message after the tool exchange: Codex asking for a compaction summary
            answer = "summary";
            text = SUMMARY_TAG + " " + commandOutput(lastToolContent(body)).strip();
        } else if (tools.contains(TOOL) && !roles.contains("tool")) {
            answer = "tool_call";
        } else {
            answer = "text";
            text = "Sluice scripted reply";
        }
        record(body, roles, tools, answer);
        String args = "{\"cmd\":" + quote(command) + "}";
        long prompt = Math.max(1, body.length() / 4);
        String usage = "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":12,\"total_tokens\":" + (prompt + 12)
                + "}";
        if (!stream) {
            String message = text != null
                    ? "{\"role\":\"assistant\",\"content\":" + quote(text) + "}"
                    : "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"chatcmpl-tool-0001\","
                            + "\"type\":\"function\",\"function\":{\"name\":\"" + TOOL + "\",\"arguments\":"
                            + quote(args) + "}}]}";
            send(ex, 200, "application/json", "{\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion\","
                    + "\"created\":1700000000,\"model\":\"scripted\",\"choices\":[{\"index\":0,\"message\":" + message
                    + ",\"finish_reason\":\"" + (text != null ? "stop" : "tool_calls") + "\"}],\"usage\":" + usage + "}");
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
            // as vLLM streams a call: id and name first with no arguments, then the arguments in fragments
            event(out, chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"chatcmpl-tool-0001\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"" + TOOL + "\",\"arguments\":null}}]}", null));
            int half = args.length() / 2;
            for (String piece : new String[] {args.substring(0, half), args.substring(half)}) {
                event(out, chunk("{\"tool_calls\":[{\"index\":0,\"id\":null,\"function\":{\"arguments\":"
                        + quote(piece) + "}}]}", null));
            }
            event(out, chunk("{}", "tool_calls"));
        }
        if (body.contains("\"include_usage\":true")) {
            event(out, "{\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"scripted\",\"choices\":[],\"usage\":" + usage + "}");
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * The command output recorded in this runtime's own compaction summary, when the conversation carries one (Codex
     * put it in a user message in place of the history), else null.
     */
    private static String summaryIn(String body) {
        for (String content : strings(body, "content")) {
            int at = content.indexOf(SUMMARY_TAG);
            if (at >= 0) {
                return content.substring(at + SUMMARY_TAG.length()).strip();
            }
        }
        return null;
    }

    /** Codex's tool result reads "Chunk ID: …\nWall time: …\nProcess exited with code 0\n…\nOutput:\n<output>". */
    private static String commandOutput(String toolContent) {
        int at = toolContent.indexOf("Output:\n");
        return at < 0 ? toolContent : toolContent.substring(at + "Output:\n".length());
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
        Matcher m = Pattern.compile("\"role\"\\s*:\\s*\"tool\"").matcher(body);
        int at = -1;
        while (m.find()) {
            at = m.start();
        }
        if (at < 0) {
            return "";
        }
        List<String> contents = strings(body.substring(at), "content");
        return contents.isEmpty() ? "" : contents.get(0);
    }

    /**
     * Every string value of {@code field} in the JSON text, unescaped. A plain scan, not a regular expression:
     * Codex's system prompt is a 17 KB string, deeper than a backtracking regex's stack.
     */
    private static List<String> strings(String json, String field) {
        List<String> out = new ArrayList<>();
        String key = "\"" + field + "\"";
        for (int at = json.indexOf(key); at >= 0; at = json.indexOf(key, at + 1)) {
            int i = skipSpace(json, at + key.length());
            if (i >= json.length() || json.charAt(i) != ':') {
                continue;
            }
            i = skipSpace(json, i + 1);
            if (i >= json.length() || json.charAt(i) != '"') {
                continue;
            }
            int end = i + 1;
            while (end < json.length() && json.charAt(end) != '"') {
                end += json.charAt(end) == '\\' ? 2 : 1;
            }
            out.add(unescape(json.substring(i + 1, Math.min(end, json.length()))));
        }
        return out;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
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

    private static synchronized void record(String body, List<String> roles, List<String> tools, String answer) {
        String model = strings(body, "model").stream().findFirst().orElse("");
        StringBuilder names = new StringBuilder("[");
        for (String t : tools) {
            names.append(names.length() > 1 ? "," : "").append(quote(t));
        }
        String line = "{\"path\":\"/v1/chat/completions\",\"model\":" + quote(model) + ",\"stream\":"
                + body.matches("(?s).*\"stream\"\\s*:\\s*true.*") + ",\"messages\":" + roles.size()
                + ",\"last_role\":" + quote(roles.isEmpty() ? "" : roles.get(roles.size() - 1))
                + ",\"tools\":" + names + "],\"answer\":" + quote(answer) + ",\"bytes\":" + body.length() + "}";
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
