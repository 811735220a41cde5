package dev.ordinal.promotion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * What a promotion carries: the container images of a StatefulSet, by container name. Reading finds
 * them in a manifest file; writing replaces exactly those scalars in the text, so comments, key
 * order, quoting and every other field of the target file stay as they were. Pure.
 */
public final class ImageCarry {
  private static final Pattern PLAIN_SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");

  private ImageCarry() {}

  /** One {@code image:} scalar of a container, where it is in the text. */
  private record ImageAt(String container, String image, int start, int end, ScalarStyle style) {}

  private enum ScalarStyle {
    PLAIN,
    SINGLE,
    DOUBLE
  }

  /**
   * The images of the StatefulSet {@code name} in {@code yaml} (containers and init containers), by
   * container name; empty when the file holds no such StatefulSet.
   *
   * @throws IllegalArgumentException when the file is not YAML
   */
  public static Optional<Map<String, String>> images(String yaml, String name) {
    List<ImageAt> found = find(yaml, name);
    if (found == null) {
      return Optional.empty();
    }
    Map<String, String> images = new LinkedHashMap<>();
    found.forEach(i -> images.put(i.container(), i.image()));
    return Optional.of(images);
  }

  /**
   * {@code yaml} with the images of StatefulSet {@code name} set from {@code images} for the
   * containers of the same name; containers the map does not name keep theirs. Empty when the file
   * holds no such StatefulSet; the same text when nothing differs.
   */
  public static Optional<String> rewrite(String yaml, String name, Map<String, String> images) {
    List<ImageAt> found = find(yaml, name);
    if (found == null) {
      return Optional.empty();
    }
    int[] offsets = StatefulSetYaml.charOffsets(yaml);
    StringBuilder out = new StringBuilder(yaml);
    // From the end, so earlier offsets stay valid.
    List<ImageAt> reversed = new ArrayList<>(found);
    reversed.sort((a, b) -> Integer.compare(b.start(), a.start()));
    for (ImageAt at : reversed) {
      String wanted = images.get(at.container());
      if (wanted == null || wanted.equals(at.image())) {
        continue;
      }
      out.replace(offsets[at.start()], offsets[at.end()], render(wanted, at.style()));
    }
    return Optional.of(out.toString());
  }

  private static String render(String value, ScalarStyle style) {
    return switch (style) {
      case PLAIN ->
          PLAIN_SAFE.matcher(value).matches() && !value.endsWith(":") ? value : doubleQuoted(value);
      case SINGLE -> "'" + value.replace("'", "''") + "'";
      case DOUBLE -> doubleQuoted(value);
    };
  }

  private static String doubleQuoted(String value) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * The image scalars of StatefulSet {@code name}, or null when no document is that StatefulSet.
   */
  private static List<ImageAt> find(String yaml, String name) {
    MappingNode root = StatefulSetYaml.find(yaml, name);
    if (root == null) {
      return null;
    }
    List<ImageAt> images = new ArrayList<>();
    Node spec = child(root, "spec");
    Node template = spec instanceof MappingNode s ? child(s, "template") : null;
    Node podSpec = template instanceof MappingNode t ? child(t, "spec") : null;
    if (podSpec instanceof MappingNode pod) {
      for (String list : List.of("initContainers", "containers")) {
        if (child(pod, list) instanceof SequenceNode containers) {
          for (Node c : containers.getValue()) {
            if (c instanceof MappingNode container
                && scalar(container, "name") != null
                && child(container, "image") instanceof ScalarNode image) {
              images.add(
                  new ImageAt(
                      scalar(container, "name"),
                      image.getValue(),
                      image.getStartMark().getIndex(),
                      image.getEndMark().getIndex(),
                      switch (image.getScalarStyle()) {
                        case SINGLE_QUOTED -> ScalarStyle.SINGLE;
                        case DOUBLE_QUOTED -> ScalarStyle.DOUBLE;
                        default -> ScalarStyle.PLAIN;
                      }));
            }
          }
        }
      }
    }
    return images;
  }

  private static Node child(MappingNode map, String key) {
    return StatefulSetYaml.child(map, key);
  }

  private static String scalar(MappingNode map, String key) {
    return StatefulSetYaml.scalar(map, key);
  }
}
