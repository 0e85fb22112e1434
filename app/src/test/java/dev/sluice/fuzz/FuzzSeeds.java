package dev.sluice.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Seed inputs, from the recorded transcripts and fixtures under {@code src/test/resources} (their provenance is in
 * the READMEs there), each prefixed with the selector byte of the translator that reads its dialect and four zero
 * split bytes (see {@link FuzzTargets}).
 */
final class FuzzSeeds {
    private FuzzSeeds() {}

    /** Files under a test-resources directory whose names end with {@code suffix}, sorted. */
    static List<byte[]> files(String dir, String suffix) {
        try {
            var url = FuzzSeeds.class.getClassLoader().getResource(dir);
            if (url == null) {
                return List.of();
            }
            try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
                List<byte[]> out = new ArrayList<>();
                for (Path p : s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList()) {
                    out.add(Files.readAllBytes(p));
                }
                return out;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams in the OpenAI chat dialect, as runtimes sent them. */
    static List<byte[]> openAiStreams() {
        List<byte[]> out = new ArrayList<>();
        out.addAll(files("transcripts/openai-to-anthropic", ".in.sse"));
        out.addAll(files("transcripts/openai-passthrough", ".in.sse"));
        out.addAll(files("transcripts/openai-to-responses", ".in.sse"));
        for (String d : List.of("openai", "vllm", "ollama", "tgi")) {
            out.addAll(files("fixtures/" + d, ".sse"));
        }
        return out;
    }

    /** Streams in the Anthropic Messages dialect. */
    static List<byte[]> anthropicStreams() {
        return files("fixtures/anthropic", ".sse");
    }

    /** Every recorded stream, for the decoder. */
    static List<byte[]> sse() {
        List<byte[]> out = new ArrayList<>(openAiStreams());
        out.addAll(anthropicStreams());
        return out;
    }

    /** Seeds for {@link FuzzTargets#streamTranslator}: each stream for each translator of its dialect. */
    static List<byte[]> streamInputs() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] s : openAiStreams()) {
            for (int t : new int[] {FuzzTargets.OPENAI_TO_ANTHROPIC, FuzzTargets.OPENAI_PASSTHROUGH,
                    FuzzTargets.OPENAI_TO_RESPONSES}) {
                out.add(FuzzTargets.input(t, s));
            }
        }
        for (byte[] s : anthropicStreams()) {
            out.add(FuzzTargets.input(FuzzTargets.ANTHROPIC_TO_OPENAI, s));
            out.add(FuzzTargets.input(FuzzTargets.ANTHROPIC_PASSTHROUGH, s));
        }
        return out;
    }

    /** Requests as clients sent them: Anthropic Messages, OpenAI chat, Responses. */
    static List<byte[]> anthropicRequests() {
        List<byte[]> out = new ArrayList<>(files("transcripts/openai-to-anthropic", ".request.json"));
        out.add(utf8("""
                {"model":"claude-sonnet-4-5","max_tokens":32000,"stream":true,"temperature":1,"top_k":5,
                 "thinking":{"type":"enabled","budget_tokens":31999},"output_config":{"effort":"high"},
                 "stop_sequences":["a","b","c","d","e"],"metadata":{"user_id":"u"},
                 "system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":[{"type":"text","text":"List the files."},
                   {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                   {"type":"document","source":{"type":"text","media_type":"text/plain","data":"notes"}}]},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"use ls","signature":""},
                   {"type":"text","text":"Running ls."},
                   {"type":"tool_use","id":"toolu_01","name":"Bash","input":{"command":"ls"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01",
                   "content":[{"type":"text","text":"a b"}],"is_error":false},{"type":"text","text":"And?"}]},
                  {"role":"assistant","content":"The files are"}],
                 "tools":[{"name":"Bash","description":"run","input_schema":{"type":"object",
                   "properties":{"command":{"type":"string"}}}},{"type":"web_search_20250305","name":"web_search"}],
                 "tool_choice":{"type":"any","disable_parallel_tool_use":true}}"""));
        return out;
    }

    static List<byte[]> openAiRequests() {
        return List.of(utf8("""
                {"model":"claude","stream":true,"stream_options":{"include_usage":true},"n":1,
                 "reasoning_effort":"high","max_completion_tokens":100,"temperature":1.5,"top_p":0.9,"stop":"END",
                 "response_format":{"type":"json_object"},"user":"u","parallel_tool_calls":false,
                 "messages":[{"role":"system","content":"Be brief."},{"role":"developer","content":"  "},
                  {"role":"user","content":[{"type":"text","text":"Weather?"},
                   {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
                  {"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function",
                   "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"18C"},{"role":"user","content":"Thanks"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],
                 "tool_choice":"none"}"""), utf8("""
                {"model":"m","input":["hello","world"],"encoding_format":"base64","prompt":"Once"}"""));
    }

    static List<byte[]> responsesRequests() {
        List<byte[]> out = new ArrayList<>(files("transcripts/openai-to-responses", ".request.json"));
        out.addAll(files("fixtures/codex", ".json"));
        return out;
    }

    /** Seeds for {@link FuzzTargets#requestTranslator}: each request for each translator of its dialect. */
    static List<byte[]> requestInputs() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] r : anthropicRequests()) {
            for (int profile = 0; profile < 7; profile++) {
                out.add(FuzzTargets.input(profile * FuzzTargets.REQUEST_TRANSLATORS, r));
            }
            out.add(FuzzTargets.input(3, r));
        }
        for (byte[] r : openAiRequests()) {
            out.add(FuzzTargets.input(1, r));
            for (int ep = 0; ep < 3; ep++) {
                out.add(FuzzTargets.input(2 + ep * 66 % 256, r));
            }
        }
        for (byte[] r : responsesRequests()) {
            out.add(FuzzTargets.input(4, r));
            out.add(FuzzTargets.input(4 + 0x40 + 2, r));
        }
        for (String dir : List.of("fixtures/openai", "fixtures/vllm", "fixtures/tgi", "fixtures/ollama")) {
            for (byte[] answer : files(dir, ".json")) {
                out.add(FuzzTargets.input(5, answer)); // a runtime's JSON answer for OpenAiToAnthropicResponse
            }
        }
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
