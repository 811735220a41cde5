package dev.ordinal.cli;

/** What the CLI echoes back from its input or from the cluster, made safe to print. */
final class Text {
  private Text() {}

  /**
   * {@code value} in single quotes with control characters written as {@code \\uXXXX}, so that
   * nothing echoed can move the cursor, clear the screen or forge a line of output.
   */
  static String quoted(String value) {
    return "'" + escaped(value) + "'";
  }

  /** {@code value} with control characters written as {@code \\uXXXX}. */
  static String escaped(String value) {
    StringBuilder b = new StringBuilder(value.length());
    value
        .codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.toString();
  }
}
