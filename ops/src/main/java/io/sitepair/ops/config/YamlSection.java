package io.sitepair.ops.config;

import java.util.HashSet;
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
 * One mapping of the file being read, with its key path and line, so that every problem can say where it is.
 * Problems go to the {@link ConfigReport} and reading goes on, so one pass finds them all: a value that is
 * refused reads as null, and a section that is not a mapping reads as one without keys whose missing keys
 * are not reported again. Duplicate and unknown keys are reported when the section is made (SnakeYAML's
 * compose keeps duplicates; the first one counts, an unknown one is left out).
 */
final class YamlSection {
    private final ConfigReport report;
    private final String path;
    private final int line;
    /** Not a mapping (reported): its keys are neither read nor reported missing. */
    private final boolean broken;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    /** Keys an unknown key was reported as a misspelling of: not reported missing as well. */
    private final Set<String> misspelt = new HashSet<>();

    /**
     * @param node the mapping; null or empty for an absent or empty optional section (all defaults)
     * @param path the section's key path, empty for the top level
     * @param line where to point at for the whole section: its key's line (for the top level, its first line)
     * @param allowed the keys it may have, or null if the caller checks key names itself
     */
    YamlSection(ConfigReport report, Node node, String path, int line, List<String> allowed) {
        this.report = report;
        this.path = path;
        this.line = line;
        boolean mapping = node == null || isNull(node) || node instanceof MappingNode;
        this.broken = !mapping;
        if (!mapping) {
            String what = path.isEmpty() ? "the file must be a mapping of KEY: value lines" : "expected a mapping";
            problemAt(node, path, what + ", found " + describe(node));
        }
        if (!(node instanceof MappingNode m)) {
            return;
        }
        for (NodeTuple entry : m.getValue()) {
            if (!(entry.getKeyNode() instanceof ScalarNode keyNode) || isNull(keyNode)) {
                problemAt(entry.getKeyNode(), path, "keys must be plain names, found " + describe(entry.getKeyNode()));
                continue;
            }
            String key = keyNode.getValue();
            NodeTuple first = entries.get(key);
            if (first != null) {
                problemAt(keyNode, key(key), "duplicate key (first at line " + lineOf(first.getKeyNode()) + ")");
            } else if (allowed != null && !allowed.contains(key)) {
                String meant = Suggestions.nearest(key, allowed);
                problemAt(keyNode, key(key), "unknown key" + (meant == null ? "" : " (did you mean " + meant + "?)")
                        + " (known here: " + String.join(", ", allowed) + ")");
                if (meant != null) {
                    misspelt.add(meant);
                }
            } else {
                entries.put(key, entry);
                report.locate(key(key), lineOf(keyNode));
            }
        }
    }

    static int lineOf(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /** Whether this section was not a mapping or is missing (reported): nothing more is to be said about it. */
    boolean broken() {
        return broken;
    }

    ConfigReport report() {
        return report;
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

    /** A problem with a key's value at the value's line, or, if the key is absent, at the section's line. */
    void problem(String key, String problem) {
        NodeTuple entry = entries.get(key);
        if (entry == null) {
            report.error(line, key(key), problem);
        } else {
            problemAt(entry.getValueNode(), key(key), problem);
        }
    }

    /** A problem with a key itself, at its line. */
    void problemWithKey(String key, String problem) {
        report.error(lineOf(key), key(key), problem);
    }

    /** A problem with the section as a whole, at its line. */
    void problem(String problem) {
        report.error(line, path, problem);
    }

    /** A warning about a key, at its line. */
    void warning(String key, String warning) {
        report.warning(lineOf(key), key(key), warning);
    }

    void problemAt(Node node, String keyPath, String problem) {
        report.error(lineOf(node), keyPath, problem);
    }

    /** A required single value, parsed; null if it is missing or refused (the problem is reported). */
    <T> T required(String key, Function<String, T> parser) {
        Node node = require(key);
        return node == null ? null : parse(key, node, parser);
    }

    /** An optional single value, parsed; {@code absent} if it is absent, null if it is refused (reported). */
    <T> T optional(String key, Function<String, T> parser, T absent) {
        NodeTuple entry = entries.get(key);
        return entry == null ? absent : parse(key, entry.getValueNode(), parser);
    }

    /** A required nested mapping; missing, it is reported and reads as one without keys. */
    YamlSection section(String key, List<String> allowed) {
        Node node = require(key);
        return node == null ? broken(key) : new YamlSection(report, node, key(key), lineOf(key), allowed);
    }

    /** An optional nested mapping; absent or empty, it has no keys. */
    YamlSection optionalSection(String key, List<String> allowed) {
        NodeTuple entry = entries.get(key);
        return new YamlSection(report, entry == null ? null : entry.getValueNode(), key(key), lineOf(key), allowed);
    }

    /** A required, non-empty list; null if it is not one (reported). */
    List<Node> list(String key) {
        Node node = require(key);
        if (node == null) {
            return null;
        }
        if (!(node instanceof SequenceNode seq)) {
            problem(key, "expected a list (lines starting with '- '), found " + describe(node));
            return null;
        }
        if (seq.getValue().isEmpty()) {
            problem(key, "needs at least one entry");
            return null;
        }
        return seq.getValue();
    }

    /** A section standing for one that is missing or not a mapping: it reports nothing more. */
    private YamlSection broken(String key) {
        return new YamlSection(report, key(key), lineOf(key));
    }

    private YamlSection(ConfigReport report, String path, int line) {
        this.report = report;
        this.path = path;
        this.line = line;
        this.broken = true;
    }

    /** The key's value node; null if it is missing or empty (reported) or this section is broken (reported before). */
    private Node require(String key) {
        if (broken) {
            return null;
        }
        NodeTuple entry = entries.get(key);
        if (entry == null) {
            if (!misspelt.contains(key)) {
                report.error(line, key(key), "required key is missing");
            }
            return null;
        }
        if (isNull(entry.getValueNode())) {
            problemAt(entry.getKeyNode(), key(key), "needs a value");
            return null;
        }
        return entry.getValueNode();
    }

    private <T> T parse(String key, Node node, Function<String, T> parser) {
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            problemAt(node, key(key), "expected a single value, found " + describe(node));
            return null;
        }
        try {
            return parser.apply(scalar.getValue());
        } catch (IllegalArgumentException e) {
            problemAt(node, key(key), e.getMessage());
            return null;
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
