package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Collects the problems of one document before the file it came from is known (parsed blobs are
 * cached by blob id, and one blob may sit at several paths).
 */
final class Problems {

  /** A problem without its file. */
  record Problem(int line, String field, String message) {
    LoadError in(String file) {
      return new LoadError(file, line, field, message);
    }
  }

  private final List<Problem> found = new ArrayList<>();
  private final Supplier<Map<String, Integer>> lineSource;
  private Map<String, Integer> lines;
  private final int documentLine;

  /**
   * @param lineSource the line of each field path in the document (see {@link
   *     YamlDocuments#fieldLines}); only called when a line is first needed, as finding them means
   *     reading the document again
   * @param documentLine used when no line is known for a field or any of its parents
   */
  Problems(Supplier<Map<String, Integer>> lineSource, int documentLine) {
    this.lineSource = lineSource;
    this.documentLine = documentLine;
  }

  void add(String field, String problem) {
    found.add(
        new Problem(lineOf(field), field, field.isEmpty() ? problem : field + ": " + problem));
  }

  void expected(String field, String what, JsonNode got) {
    add(field, "expected " + what + ", got " + describe(got));
  }

  List<Problem> list() {
    return found;
  }

  boolean isEmpty() {
    return found.isEmpty();
  }

  int size() {
    return found.size();
  }

  /** The line of {@code field}, else of its closest parent that has one. */
  int lineOf(String field) {
    if (lines == null) {
      lines = lineSource.get();
    }
    String path = field;
    while (true) {
      Integer line = lines.get(path);
      if (line != null) {
        return line;
      }
      if (path.isEmpty()) {
        return documentLine;
      }
      path = parent(path);
    }
  }

  static String parent(String path) {
    if (path.endsWith("]")) {
      return path.substring(0, path.lastIndexOf('['));
    }
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** How a value is shown in messages: scalars as written, containers by their shape. */
  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isTextual()) {
      return "\"" + node.asText() + "\"";
    }
    return node.asText();
  }
}
