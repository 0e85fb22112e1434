package dev.sluice.config.file;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Parses a config file into plain maps, lists and scalars, plus the line of every key path for messages.
 * Scalars follow YAML 1.2 rules rather than SnakeYAML's YAML 1.1 ones: {@code no}, {@code on} and
 * {@code 2024-10-21} (an Azure api_version) stay strings; only {@code true}/{@code false} are booleans.
 */
final class YamlText {
    private static final Pattern BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    private static final Pattern INT = Pattern.compile("^[-+]?(?:0|[1-9][0-9]*)$");
    private static final Pattern FLOAT =
            Pattern.compile("^[-+]?(?:[0-9]+\\.[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$");

    /**
     * The parsed document, the 1-based line of each key path ({@code model_list[0].params.api_base}) and the text
     * of each scalar as written (so a model_name {@code 3.10} is not read back as {@code 3.1}).
     */
    record Parsed(Object root, Map<String, Integer> lines, Map<String, String> scalars) {}

    /** The text is not valid YAML; the message has the line and column but never the text of the line. */
    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    private YamlText() {}

    static Parsed parse(String text) throws SyntaxError {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(50);
        try {
            Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()),
                    new DumperOptions(), options, new Yaml12Resolver());
            Object root = yaml.load(text);
            Map<String, Integer> lines = new HashMap<>();
            Map<String, String> scalars = new HashMap<>();
            Node node = yaml.compose(new StringReader(text));
            if (node != null) {
                walk(node, "", lines, scalars);
            }
            return new Parsed(root, lines, scalars);
        } catch (MarkedYAMLException e) {
            // getMessage() would quote the offending line, and that line may hold a key
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            throw new SyntaxError("YAML syntax error" + where + ": " + redacted(e.getProblem()) + context);
        } catch (YAMLException e) {
            throw new SyntaxError("YAML error: " + e.getMessage());
        }
    }

    /** SnakeYAML quotes alias and tag names, which are values like {@code *sk-abc} that were meant as text. */
    private static String redacted(String problem) {
        if (problem == null) {
            return "not valid YAML";
        }
        if (problem.startsWith("found undefined alias")) {
            return "found an undefined alias (put a value that starts with * in quotes)";
        }
        if (problem.contains("tag")) {
            return "found an unsupported tag (put a value that starts with ! in quotes)";
        }
        return problem;
    }

    private static void walk(Node node, String path, Map<String, Integer> lines, Map<String, String> scalars) {
        lines.putIfAbsent(path, node.getStartMark().getLine() + 1);
        if (node instanceof ScalarNode scalar) {
            scalars.putIfAbsent(path, scalar.getValue());
        } else if (node instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode key) {
                    String child = ConfigReader.key(path, key.getValue());
                    lines.putIfAbsent(child, key.getStartMark().getLine() + 1);
                    walk(t.getValueNode(), child, lines, scalars);
                }
            }
        } else if (node instanceof SequenceNode seq) {
            List<Node> items = seq.getValue();
            for (int i = 0; i < items.size(); i++) {
                walk(items.get(i), ConfigReader.index(path, i), lines, scalars);
            }
        }
    }

    /** YAML 1.2 core schema scalars (no yes/no booleans, no timestamps, no sexagesimal numbers). */
    private static final class Yaml12Resolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOL, "tTfF");
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<");
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }
}
