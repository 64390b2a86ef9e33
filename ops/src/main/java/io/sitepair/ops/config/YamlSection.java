package io.sitepair.ops.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One mapping of the file being read, with its key path and line, so that every error can say where it is.
 * Duplicate and unknown keys are refused when the section is made (SnakeYAML's compose keeps duplicates).
 */
final class YamlSection {
    private final Path file;
    private final String path;
    private final int line;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    /**
     * @param path the section's key path, empty for the top level
     * @param line where to point at for the whole section: its key's line (for the top level, its first line)
     * @param allowed the keys it may have, or null if the caller checks key names itself
     */
    YamlSection(Path file, Node node, String path, int line, List<String> allowed) {
        this.file = file;
        this.path = path;
        this.line = line;
        if (node == null || isNull(node)) {
            return; // an absent or empty optional section: all defaults
        }
        if (!(node instanceof MappingNode mapping)) {
            String what = path.isEmpty() ? "the file must be a mapping of KEY: value lines" : "expected a mapping";
            throw errorAt(node, path, what + ", found " + describe(node));
        }
        for (NodeTuple entry : mapping.getValue()) {
            if (!(entry.getKeyNode() instanceof ScalarNode keyNode) || isNull(keyNode)) {
                throw errorAt(entry.getKeyNode(), path, "keys must be plain names, found " + describe(entry.getKeyNode()));
            }
            String key = keyNode.getValue();
            NodeTuple first = entries.putIfAbsent(key, entry);
            if (first != null) {
                throw errorAt(keyNode, key(key), "duplicate key (first at line " + lineOf(first.getKeyNode()) + ")");
            }
            if (allowed != null && !allowed.contains(key)) {
                throw errorAt(keyNode, key(key), "unknown key" + Suggestions.didYouMean(key, allowed)
                        + " (known here: " + String.join(", ", allowed) + ")");
            }
        }
    }

    static int lineOf(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    Path file() {
        return file;
    }

    int line() {
        return line;
    }

    /** The key path of one of this section's keys. */
    String key(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Set<String> keys() {
        return entries.keySet();
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    /** Whether {@code key} holds a single value (where it may hold either that or a mapping). */
    boolean isScalar(String key) {
        NodeTuple entry = entries.get(key);
        return entry != null && entry.getValueNode() instanceof ScalarNode;
    }

    /** The line of a key, or of the section if it is absent. */
    int lineOf(String key) {
        NodeTuple entry = entries.get(key);
        return entry == null ? line : lineOf(entry.getKeyNode());
    }

    /** An error about a key's value (or about the key, if absent) at its line. */
    ConfigException error(String key, String problem) {
        NodeTuple entry = entries.get(key);
        return entry == null ? ConfigException.at(file, line, key(key), problem) : errorAt(entry.getValueNode(), key(key), problem);
    }

    /** An error about the section as a whole, at its line. */
    ConfigException fail(String problem) {
        return ConfigException.at(file, line, path, problem);
    }

    ConfigException errorAt(Node node, String keyPath, String problem) {
        return ConfigException.at(file, lineOf(node), keyPath, problem);
    }

    /** A required single value, parsed; the parser's IllegalArgumentException becomes a located error. */
    <T> T required(String key, Function<String, T> parser) {
        return parse(key, require(key), parser);
    }

    /** An optional single value, parsed, or {@code absent}. */
    <T> T optional(String key, Function<String, T> parser, T absent) {
        NodeTuple entry = entries.get(key);
        return entry == null ? absent : parse(key, entry.getValueNode(), parser);
    }

    /** A required nested mapping. */
    YamlSection section(String key, List<String> allowed) {
        return new YamlSection(file, require(key), key(key), lineOf(key), allowed);
    }

    /** An optional nested mapping; absent or empty, it has no keys. */
    YamlSection optionalSection(String key, List<String> allowed) {
        NodeTuple entry = entries.get(key);
        return new YamlSection(file, entry == null ? null : entry.getValueNode(), key(key), lineOf(key), allowed);
    }

    /** A required, non-empty list. */
    List<Node> list(String key) {
        if (!(require(key) instanceof SequenceNode seq)) {
            throw error(key, "expected a list (lines starting with '- '), found " + describe(entries.get(key).getValueNode()));
        }
        if (seq.getValue().isEmpty()) {
            throw error(key, "needs at least one entry");
        }
        return seq.getValue();
    }

    private Node require(String key) {
        NodeTuple entry = entries.get(key);
        if (entry == null) {
            throw ConfigException.at(file, line, key(key), "required key is missing");
        }
        if (isNull(entry.getValueNode())) {
            throw errorAt(entry.getKeyNode(), key(key), "needs a value");
        }
        return entry.getValueNode();
    }

    private <T> T parse(String key, Node node, Function<String, T> parser) {
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            throw errorAt(node, key(key), "expected a single value, found " + describe(node));
        }
        try {
            return parser.apply(scalar.getValue());
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw errorAt(node, key(key), e.getMessage());
        }
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String describe(Node node) {
        return switch (node) {
            case MappingNode m -> "a mapping";
            case SequenceNode s -> "a list";
            case ScalarNode s when isNull(s) -> "nothing";
            case ScalarNode s -> "the value \"" + s.getValue() + "\"";
            default -> "a " + node.getNodeId();
        };
    }
}
