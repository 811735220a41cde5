package dev.ordinal.manifest;

/** Where a document starts: a path relative to the tree root and a 1-based line. */
public record SourceLocation(String file, int line) {

  @Override
  public String toString() {
    return file + ":" + line;
  }
}
