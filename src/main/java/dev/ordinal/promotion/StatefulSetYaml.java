package dev.ordinal.promotion;

import java.io.StringReader;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A StatefulSet document of a manifest file as SnakeYAML nodes, whose marks say where each part is
 * in the text: what the carries read, and where they rewrite. Pure.
 */
final class StatefulSetYaml {
  private StatefulSetYaml() {}

  /** A parser that refuses duplicate keys and alias bombs, as the manifest loader does. */
  static Yaml parser() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    return new Yaml(options, new DumperOptions());
  }

  /**
   * The first document of {@code yaml} that is the StatefulSet {@code name}, or null.
   *
   * @throws IllegalArgumentException when the file is not YAML
   */
  static MappingNode find(String yaml, String name) {
    try {
      for (Node document : parser().composeAll(new StringReader(yaml))) {
        if (document instanceof MappingNode root
            && "StatefulSet".equals(scalar(root, "kind"))
            && child(root, "metadata") instanceof MappingNode metadata
            && name.equals(scalar(metadata, "name"))) {
          return root;
        }
      }
    } catch (YAMLException e) {
      throw new IllegalArgumentException("not valid YAML: " + e.getMessage(), e);
    }
    return null;
  }

  /** The tuple of {@code key} in {@code map}, or null. */
  static NodeTuple tuple(MappingNode map, String key) {
    for (NodeTuple tuple : map.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue())) {
        return tuple;
      }
    }
    return null;
  }

  static Node child(MappingNode map, String key) {
    NodeTuple tuple = tuple(map, key);
    return tuple == null ? null : tuple.getValueNode();
  }

  static String scalar(MappingNode map, String key) {
    return child(map, key) instanceof ScalarNode s ? s.getValue() : null;
  }

  /** SnakeYAML's marks count code points; this maps each to a {@code char} index. */
  static int[] charOffsets(String text) {
    int count = text.codePointCount(0, text.length());
    int[] offsets = new int[count + 1];
    int index = 0;
    for (int cp = 0; cp < count; cp++) {
      offsets[cp] = index;
      index += Character.charCount(text.codePointAt(index));
    }
    offsets[count] = index;
    return offsets;
  }
}
