package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A value of the document being checked together with where it sits, so that a rule can walk down
 * and report where it is without building paths by hand. Absent values are {@link
 * com.fasterxml.jackson.databind.node.MissingNode}s, so a chain of {@link #get} never fails.
 *
 * <p>The path is only spelled out when a problem asks for it: rules walk every object, and most
 * objects have no problem.
 *
 * <p>A rule that looks at a few of a mapping's many optional fields goes through the {@linkplain
 * #fields fields that are there} rather than asking for each one: most fields of a Kubernetes kind
 * are absent from any one object, and asking for an absent field costs as much as finding one.
 */
final class Node {
  private final JsonNode value;
  private final Node parent;
  private final String field;
  private final int index;

  private Node(JsonNode value, Node parent, String field, int index) {
    this.value = value;
    this.parent = parent;
    this.field = field;
    this.index = index;
  }

  static Node root(JsonNode document) {
    return new Node(document, null, null, -1);
  }

  JsonNode value() {
    return value;
  }

  /** The dotted path from the document root, such as {@code spec.ports[1].name}. */
  String path() {
    if (parent == null) {
      return "";
    }
    String above = parent.path();
    if (field == null) {
      return above + "[" + index + "]";
    }
    return Problems.child(above, field);
  }

  Node get(String name) {
    return new Node(value.path(name), this, name, -1);
  }

  /** A path of several fields at once: {@code get("spec", "template", "spec")}. */
  Node get(String... names) {
    Node node = this;
    for (String name : names) {
      node = node.get(name);
    }
    return node;
  }

  /** Set to something other than null. */
  boolean isSet() {
    return !value.isMissingNode() && !value.isNull();
  }

  /** The text of a string value, or null when absent or not a string. */
  String text() {
    return value.isTextual() ? value.asText() : null;
  }

  /** The text, or {@code otherwise} when absent or empty (Go's zero value means "not set"). */
  String textOr(String otherwise) {
    String text = text();
    return text == null || text.isEmpty() ? otherwise : text;
  }

  /** An integer value, or {@code otherwise} when absent. */
  long number(long otherwise) {
    return value.isIntegralNumber() ? value.longValue() : otherwise;
  }

  boolean isInteger() {
    return value.isIntegralNumber();
  }

  /** The items of a list (none when absent). */
  List<Node> items() {
    if (!value.isArray() || value.isEmpty()) {
      return List.of();
    }
    List<Node> items = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      items.add(new Node(value.get(i), this, null, i));
    }
    return items;
  }

  /**
   * The fields of a mapping in the order they were written (none when absent or not a mapping),
   * each with its {@linkplain #name name} and path.
   */
  List<Node> fields() {
    if (!(value instanceof ObjectNode mapping) || mapping.isEmpty()) {
      return List.of();
    }
    List<Node> fields = new ArrayList<>(mapping.size());
    for (Map.Entry<String, JsonNode> entry : mapping.properties()) {
      fields.add(new Node(entry.getValue(), this, entry.getKey(), -1));
    }
    return fields;
  }

  /** The field this node is the value of, or null for the document and for list items. */
  String name() {
    return field;
  }

  /** How many items or entries. */
  int size() {
    return value.isContainerNode() ? value.size() : 0;
  }
}
