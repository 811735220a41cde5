package dev.ordinal.promotion;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * What {@code carry: template} carries: a StatefulSet's whole pod template, {@code spec.template},
 * from the source's manifest to the target's StatefulSet of the same name. Everything else of the
 * target's document stays as it was, text and comments included, because it is the environment's
 * own: {@code metadata} (name, labels, annotations), {@code spec.replicas}, {@code
 * spec.volumeClaimTemplates} (claims cannot change in place, and their sizes differ per
 * environment), {@code spec.selector}, {@code serviceName}, {@code updateStrategy} and every other
 * document and file. Within the template nothing is kept: per-environment resources or env vars in
 * it are replaced by the source's. Pure.
 *
 * <p>The template is moved as text, its lines re-indented to where the target's template sits, so
 * its comments travel with it. Both templates must be written in block style.
 */
public final class TemplateCarry {
  private TemplateCarry() {}

  /** Where a template's lines are in a file's text, and the column its keys start at. */
  private record Block(int start, int end, int column, MappingNode spec) {}

  /**
   * The pod template of StatefulSet {@code name} in {@code yaml}, its lines moved to column 0;
   * empty when the file holds no such StatefulSet.
   *
   * @throws IllegalArgumentException when the file is not YAML, or the StatefulSet has no pod
   *     template in block style
   */
  public static Optional<String> template(String yaml, String name) {
    Block block = find(yaml, name);
    return block == null ? Optional.empty() : Optional.of(dedent(yaml, block));
  }

  /**
   * {@code yaml} with the pod template of StatefulSet {@code name} replaced by {@code template} (as
   * {@link #template} returns it). Empty when the file holds no such StatefulSet; the same text
   * when the two templates are equal as YAML, however each is written.
   *
   * @throws IllegalArgumentException when the new template's labels would no longer match the
   *     target's {@code spec.selector.matchLabels}: the API server would refuse the StatefulSet
   */
  public static Optional<String> rewrite(String yaml, String name, String template) {
    Block block = find(yaml, name);
    if (block == null) {
      return Optional.empty();
    }
    Object wanted = StatefulSetYaml.parser().load(template);
    if (Objects.equals(wanted, StatefulSetYaml.parser().load(dedent(yaml, block)))) {
      return Optional.of(yaml);
    }
    checkSelector(name, block.spec(), wanted);
    String indent = " ".repeat(block.column());
    StringBuilder lines = new StringBuilder();
    for (String line : template.stripTrailing().split("\n", -1)) {
      lines.append(line.isBlank() ? "" : indent + line).append('\n');
    }
    return Optional.of(yaml.substring(0, block.start()) + lines + yaml.substring(block.end()));
  }

  private static void checkSelector(String name, MappingNode spec, Object template) {
    if (!(StatefulSetYaml.child(spec, "selector") instanceof MappingNode selector
        && StatefulSetYaml.child(selector, "matchLabels") instanceof MappingNode matchLabels)) {
      return;
    }
    Map<String, String> wanted = new TreeMap<>();
    for (NodeTuple label : matchLabels.getValue()) {
      if (label.getKeyNode() instanceof ScalarNode key
          && label.getValueNode() instanceof ScalarNode value) {
        wanted.put(key.getValue(), value.getValue());
      }
    }
    Object labels =
        template instanceof Map<?, ?> t && t.get("metadata") instanceof Map<?, ?> m
            ? m.get("labels")
            : null;
    Map<?, ?> have = labels instanceof Map<?, ?> l ? l : Map.of();
    for (Map.Entry<String, String> label : wanted.entrySet()) {
      Object value = have.get(label.getKey());
      if (value == null || !label.getValue().equals(String.valueOf(value))) {
        throw new IllegalArgumentException(
            "the carried pod template of StatefulSet "
                + name
                + " has labels "
                + have
                + ", which do not match the target's spec.selector.matchLabels "
                + wanted
                + "; give both environments the same pod labels, or carry images");
      }
    }
  }

  private static Block find(String yaml, String name) {
    MappingNode root = StatefulSetYaml.find(yaml, name);
    if (root == null) {
      return null;
    }
    MappingNode spec = StatefulSetYaml.child(root, "spec") instanceof MappingNode s ? s : null;
    NodeTuple template = spec == null ? null : StatefulSetYaml.tuple(spec, "template");
    if (template == null
        || !(template.getValueNode() instanceof MappingNode value)
        || value.getFlowStyle() != DumperOptions.FlowStyle.BLOCK) {
      throw new IllegalArgumentException(
          "StatefulSet "
              + name
              + " has no spec.template in block style; write the pod template as an indented"
              + " block to carry it");
    }
    int[] offsets = StatefulSetYaml.charOffsets(yaml);
    int keyAt = offsets[template.getKeyNode().getStartMark().getIndex()];
    int keyColumn = keyAt - lineStart(yaml, keyAt);
    int valueAt = offsets[value.getStartMark().getIndex()];
    // From the line after the key, so that comments above the first key travel too.
    int start = yaml.indexOf('\n', keyAt) + 1;
    // The block is every following line indented deeper than the key (blank lines within it
    // too), as YAML reads it; trailing blank lines belong to what follows.
    int end = start;
    int scan = start;
    while (scan < yaml.length()) {
      int next = yaml.indexOf('\n', scan);
      next = next < 0 ? yaml.length() : next + 1;
      String line = yaml.substring(scan, next);
      if (!line.isBlank()) {
        if (indentation(line) <= keyColumn) {
          break;
        }
        end = next;
      }
      scan = next;
    }
    return new Block(start, end, valueAt - lineStart(yaml, valueAt), spec);
  }

  private static String dedent(String yaml, Block block) {
    List<String> lines = new ArrayList<>();
    for (String line : yaml.substring(block.start(), block.end()).split("\n", -1)) {
      lines.add(line.isBlank() ? "" : line.substring(Math.min(indentation(line), block.column())));
    }
    return String.join("\n", lines);
  }

  private static int lineStart(String text, int index) {
    return text.lastIndexOf('\n', index - 1) + 1;
  }

  private static int indentation(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) == ' ') {
      i++;
    }
    return i;
  }
}
