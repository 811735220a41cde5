package dev.ordinal.manifest;

/**
 * Makes text taken from a manifest safe to print: a terminal must not run an escape sequence found
 * in a name, and a newline in a file name must not forge a second error line.
 */
public final class Escapes {

  private Escapes() {}

  /**
   * {@code text} with every control, format and line-separator character written as an escape
   * ({@code \n}, {@code \x1b}, {@code \u202e}); all other characters are kept. Idempotent, so text
   * that was escaped once may pass through here again.
   */
  public static String controls(String text) {
    int first = firstUnsafe(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (!unsafe(c)) {
        out.appendCodePoint(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c <= 0xFF) {
        out.append(String.format("\\x%02x", c));
      } else {
        out.append(String.format("\\u%04x", c));
      }
    }
    return out.toString();
  }

  /**
   * {@code text} with each of its lines passed through {@link #controls}: for messages that list
   * one problem per line, where the line breaks are the message's own.
   */
  public static String controlsPerLine(String text) {
    if (text == null || firstUnsafe(text) < 0) {
      return text;
    }
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      lines[i] = controls(lines[i]);
    }
    return String.join("\n", lines);
  }

  private static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // Printable ASCII is by far the common case; only look closer at anything else.
      if ((c < 0x20 || c >= 0x7F) && unsafe(text.codePointAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Controls (C0, DEL, C1), invisible format characters (bidirectional overrides, zero-width
   * characters, byte order marks) and Unicode line and paragraph separators.
   */
  static boolean unsafe(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE,
          Character.UNASSIGNED,
          Character.PRIVATE_USE ->
          true;
      default -> false;
    };
  }
}
