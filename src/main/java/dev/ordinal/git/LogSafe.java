package dev.ordinal.git;

/**
 * Makes text from outside (webhook payloads and headers, remote error messages) safe to put in a
 * log line: control characters, line and paragraph separators and bidirectional overrides are
 * written as {@code \\uXXXX}, a backslash as {@code \\\\}, so nothing can end the line or forge
 * another one; long values are cut.
 */
public final class LogSafe {
  /** What {@link #text(String)} keeps of a value before cutting it. */
  public static final int MAX_CHARS = 200;

  private LogSafe() {}

  /** {@code value} escaped and cut to {@value #MAX_CHARS} characters; "null" for null. */
  public static String text(String value) {
    return text(value, MAX_CHARS);
  }

  public static String text(String value, int maxChars) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), maxChars) + 16);
    int i = 0;
    for (; i < value.length() && i < maxChars; i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (unsafe(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (i < value.length()) {
      out.append("...(").append(value.length() - i).append(" more)");
    }
    return out.toString();
  }

  private static boolean unsafe(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069')
        || c == '\u061c'
        || c == '\u200e'
        || c == '\u200f';
  }
}
