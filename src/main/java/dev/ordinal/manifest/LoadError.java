package dev.ordinal.manifest;

/**
 * One problem found while loading a source tree.
 *
 * @param file path of the file relative to the tree root
 * @param line 1-based line the problem was found at (the document's first line when nothing more
 *     precise is known)
 * @param field dotted path of the offending field, such as {@code spec.steps[2].canary.percent}, or
 *     empty when the problem concerns the whole file or document
 * @param message human-readable description; names the field itself when there is one
 */
public record LoadError(String file, int line, String field, String message) {

  @Override
  public String toString() {
    return file + ":" + line + ": " + message;
  }
}
