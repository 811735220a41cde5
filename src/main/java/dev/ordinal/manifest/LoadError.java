package dev.ordinal.manifest;

import java.util.Comparator;

/**
 * One problem found while loading a source tree: an error, which makes the whole tree invalid, or a
 * note, which does not.
 *
 * <p>Every text part is {@linkplain Escapes#controls escaped}: names, values and file names come
 * from the repository and may hold terminal escape sequences or newlines.
 *
 * @param file path of the file relative to the tree root
 * @param line 1-based line the problem was found at (the document's first line when nothing more
 *     precise is known)
 * @param column 1-based column of the field the problem is about, or 0 when unknown
 * @param field dotted path of the offending field, such as {@code spec.steps[2].canary.percent}, or
 *     empty when the problem concerns the whole file or document
 * @param message human-readable description; names the field itself when there is one
 * @param severity whether the problem makes the tree invalid
 */
public record LoadError(
    String file, int line, int column, String field, String message, Severity severity) {

  /** How much a problem weighs. */
  public enum Severity {
    /** The tree is invalid: nothing from it may be applied. */
    ERROR,
    /** Worth knowing, but the tree is still valid (a custom resource that is not checked). */
    NOTE
  }

  /** The order problems are reported in: by file, then line, then field and message. */
  public static final Comparator<LoadError> BY_PLACE =
      Comparator.comparing(LoadError::file)
          .thenComparingInt(LoadError::line)
          .thenComparing(LoadError::field)
          .thenComparing(LoadError::message);

  public LoadError {
    file = Escapes.controls(file);
    field = Escapes.controls(field);
    message = Escapes.controls(message);
  }

  /** An error whose column is not known. */
  public LoadError(String file, int line, String field, String message) {
    this(file, line, 0, field, message, Severity.ERROR);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public String toString() {
    return file + ":" + line + ": " + (isError() ? "" : "note: ") + message;
  }
}
