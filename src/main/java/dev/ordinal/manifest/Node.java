package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A value of the document being checked together with its path, so that a rule can walk down and
 * report where it is without building paths by hand. Absent values are {@link
 * com.fasterxml.jackson.databind.node.MissingNode}s, so a chain of {@link #get} never fails.
 */
record Node(JsonNode value, String path) {

  static Node root(JsonNode document) {
    return new Node(document, "");
  }

  Node get(String field) {
    return new Node(value.path(field), Problems.child(path, field));
  }

  /** A path of several fields at once: {@code get("spec", "template", "spec")}. */
  Node get(String... fields) {
    Node node = this;
    for (String field : fields) {
      node = node.get(field);
    }
    return node;
  }

  /** Set to something other than null. */
  boolean isSet() {
    return !value.isMissingNode() && !value.isNull();
  }

  /** The text of a string value, or null when absent (types were checked before any rule). */
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
    List<Node> items = new ArrayList<>();
    if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        items.add(new Node(value.get(i), path + "[" + i + "]"));
      }
    }
    return items;
  }

  /** The entries of a mapping (none when absent), each with its path. */
  List<Map.Entry<String, Node>> entries() {
    List<Map.Entry<String, Node>> entries = new ArrayList<>();
    if (value.isObject()) {
      for (Map.Entry<String, JsonNode> entry : value.properties()) {
        entries.add(
            Map.entry(
                entry.getKey(), new Node(entry.getValue(), Problems.child(path, entry.getKey()))));
      }
    }
    return entries;
  }

  /** How many items or entries. */
  int size() {
    return value.isContainerNode() ? value.size() : 0;
  }
}
