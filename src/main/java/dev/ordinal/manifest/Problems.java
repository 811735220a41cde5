package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ordinal.manifest.LoadError.Severity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Collects the problems of one document before the file it came from is known (parsed blobs are
 * cached by blob id, and one blob may sit at several paths).
 *
 * <p>Lines are found lazily: the first problem that needs one names the positions kept when its
 * document was read (see {@link YamlDocuments.Document#positions}), so a file with N bad documents
 * costs O(N) and a valid document nothing.
 */
final class Problems {

  /** A problem without its file. */
  record Problem(int line, int column, String field, String message, Severity severity) {
    static Problem error(int line, String message) {
      return new Problem(line, 0, "", message, Severity.ERROR);
    }

    LoadError in(String file) {
      return new LoadError(file, line, column, field, message, severity);
    }

    boolean isError() {
      return severity == Severity.ERROR;
    }
  }

  /** Where a field was written: 1-based line and column packed into one long. */
  static long position(int line, int column) {
    return ((long) line << 32) | (column & 0xFFFFFFFFL);
  }

  private final Shared shared;
  private final String prefix;

  /**
   * @param positionSource the position of each field path in the document (see {@link
   *     YamlDocuments.Document#positions}); only called when a position is first needed, as naming
   *     every field of a document costs more than checking it
   * @param documentLine used when no line is known for a field or any of its parents
   */
  Problems(Supplier<Map<String, Long>> positionSource, int documentLine) {
    this(new Shared(positionSource, documentLine), "");
  }

  private Problems(Shared shared, String prefix) {
    this.shared = shared;
    this.prefix = prefix;
  }

  /**
   * Problems of a part of this document that is checked as a document of its own (an item of a
   * {@code kind: List}): its fields are named from {@code path}, its problems are this document's.
   */
  Problems within(String path) {
    return new Problems(shared, child(prefix, path));
  }

  /** The path of {@code field} from the document root. */
  String fullPath(String field) {
    if (prefix.isEmpty()) {
      return field;
    }
    if (field.isEmpty()) {
      return prefix;
    }
    return field.startsWith("[") ? prefix + field : prefix + "." + field;
  }

  void add(String field, String problem) {
    report(field, problem, Severity.ERROR);
  }

  /** A problem that does not make the document invalid. */
  void note(String field, String problem) {
    report(field, problem, Severity.NOTE);
  }

  void expected(String field, String what, JsonNode got) {
    add(field, "expected " + what + ", got " + describe(got));
  }

  /**
   * A value of the wrong type. Later errors at or below its path are dropped: a rule that reads a
   * list where a mapping was written would only repeat the same problem in other words.
   */
  void typeError(String field, String problem) {
    add(field, problem);
    shared.typeErrors.add(fullPath(field));
  }

  /** Whether any type error was reported in this document. */
  boolean hasTypeErrors() {
    return !shared.typeErrors.isEmpty();
  }

  /** Whether a type error was reported at or above {@code field}. */
  boolean hasTypeErrorAt(String field) {
    String path = fullPath(field);
    for (String typeError : shared.typeErrors) {
      if (within(path, typeError)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a type error was reported at, above or below {@code field}. */
  boolean touchesTypeError(String field) {
    String path = fullPath(field);
    for (String typeError : shared.typeErrors) {
      if (within(path, typeError) || within(typeError, path)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code path} is {@code ancestor} or lies below it. */
  private static boolean within(String path, String ancestor) {
    return ancestor.isEmpty()
        || path.equals(ancestor)
        || path.startsWith(ancestor + ".")
        || path.startsWith(ancestor + "[");
  }

  private void report(String field, String problem, Severity severity) {
    if (!shared.typeErrors.isEmpty() && hasTypeErrorAt(field)) {
      return;
    }
    String path = fullPath(field);
    long at = positionOf(path);
    shared.found.add(
        new Problem(
            (int) (at >>> 32),
            (int) at,
            path,
            path.isEmpty() ? problem : path + ": " + problem,
            severity));
    if (severity == Severity.ERROR) {
      shared.errors++;
    }
  }

  List<Problem> list() {
    return shared.found;
  }

  /** True when no error was found; notes do not count. */
  boolean isEmpty() {
    return shared.errors == 0;
  }

  /** How many errors were found so far. */
  int size() {
    return shared.errors;
  }

  /** The line of {@code field} (relative to this view), else of its closest parent that has one. */
  int lineOf(String field) {
    return (int) (positionOf(fullPath(field)) >>> 32);
  }

  private long positionOf(String path) {
    if (shared.positions == null) {
      shared.positions = shared.positionSource.get();
    }
    while (true) {
      Long at = shared.positions.get(path);
      if (at != null) {
        return at;
      }
      if (path.isEmpty()) {
        return position(shared.documentLine, 0);
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
  /** The kind of a value without the value: "a number", "a string", "a mapping". */
  static String shapeOf(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull() || node.isContainerNode()) {
      return describe(node);
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return "a string";
  }

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

  /** What all views of one document share. */
  private static final class Shared {
    final List<Problem> found = new ArrayList<>();
    final Set<String> typeErrors = new HashSet<>();
    final Supplier<Map<String, Long>> positionSource;
    final int documentLine;
    Map<String, Long> positions;
    int errors;

    Shared(Supplier<Map<String, Long>> positionSource, int documentLine) {
      this.positionSource = positionSource;
      this.documentLine = documentLine;
    }
  }
}
