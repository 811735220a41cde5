package dev.ordinal.manifest;

import java.util.Arrays;

/**
 * One pass over a file's bytes before it is parsed: is it UTF-8 text that YAML or JSON may hold,
 * where does each line start, and is it worth looking for aliases or template markers.
 *
 * <p>Line breaks are counted as SnakeYAML counts them ({@code \n}, {@code \r\n}, a lone {@code \r},
 * and U+0085, U+2028, U+2029), so line starts found here agree with the parser's line numbers.
 *
 * @param start where the content starts (after a UTF-8 byte order mark)
 * @param json whether the file is read as JSON: like kubectl, a file whose first non-blank
 *     character is '{'
 * @param onlyNewlines whether every line break is {@code \n} or {@code \r\n} and no byte order mark
 *     follows the start: what {@link BlockYaml} reads, leaving the rest to SnakeYAML
 * @param problem why the file is not text that can be parsed, or null
 */
record TextScan(
    int start,
    boolean json,
    int[] lineStarts,
    int lineCount,
    boolean mayHaveAlias,
    boolean mayHaveTemplate,
    boolean onlyNewlines,
    Problems.Problem problem) {

  private static final String SAVE_AS_UTF8 = "; save it as UTF-8 or move it out of the path";

  /** The byte offset where 1-based {@code line} starts. */
  int lineStart(int line) {
    return lineStarts[Math.max(0, Math.min(line, lineCount) - 1)];
  }

  static TextScan of(byte[] bytes) {
    int start = hasUtf8Bom(bytes) ? 3 : 0;
    Problems.Problem bom = otherByteOrderMark(bytes);
    int[] lineStarts = new int[Math.max(16, bytes.length / 24)];
    lineStarts[0] = start;
    int lines = 1;
    boolean star = false;
    boolean template = false;
    boolean onlyNewlines = true;
    Problems.Problem problem = bom;
    int i = start;
    while (problem == null && i < bytes.length) {
      int b = bytes[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F) {
        if (b == '*') {
          star = true;
        } else if (b == '{'
            && !template
            && i + 1 < bytes.length
            && (bytes[i + 1] == '%'
                || (bytes[i + 1] == '{' && !isOrdinalPlaceholder(bytes, i + 2)))) {
          template = true;
        }
        i++;
        continue;
      }
      int next = i + 1;
      boolean lineBreak = false;
      if (b == '\n') {
        lineBreak = true;
      } else if (b == '\r') {
        lineBreak = next >= bytes.length || bytes[next] != '\n';
        onlyNewlines &= !lineBreak;
      } else if (b == '\t') {
        // allowed anywhere
      } else if (b < 0x80) {
        problem = controlCharacter(bytes, start, i, lines, b);
      } else {
        int length = sequenceLength(bytes, i);
        if (length == 0) {
          problem = notUtf8(bytes, i, lines);
        } else {
          int c = decode(bytes, i, length);
          next = i + length;
          if (c == 0x85 || c == 0x2028 || c == 0x2029) {
            lineBreak = true;
            onlyNewlines = false;
          } else if (c == 0xFEFF) {
            onlyNewlines = false;
          } else if ((c >= 0x80 && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF) {
            problem = controlCharacter(bytes, start, i, lines, c);
          }
        }
      }
      if (lineBreak) {
        if (lines == lineStarts.length) {
          lineStarts = Arrays.copyOf(lineStarts, lines * 2);
        }
        lineStarts[lines++] = next;
      }
      i = next;
    }
    return new TextScan(
        start, isJson(bytes, start), lineStarts, lines, star, template, onlyNewlines, problem);
  }

  private static boolean hasUtf8Bom(byte[] bytes) {
    return bytes.length >= 3
        && (bytes[0] & 0xFF) == 0xEF
        && (bytes[1] & 0xFF) == 0xBB
        && (bytes[2] & 0xFF) == 0xBF;
  }

  private static Problems.Problem otherByteOrderMark(byte[] bytes) {
    String encoding = null;
    if (bytes.length >= 4 && bytes[0] == 0 && bytes[1] == 0 && (bytes[2] & 0xFF) == 0xFE) {
      encoding = "UTF-32";
    } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
      encoding = bytes.length >= 4 && bytes[2] == 0 && bytes[3] == 0 ? "UTF-32" : "UTF-16";
    } else if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF) {
      encoding = "UTF-16";
    }
    if (encoding == null) {
      return null;
    }
    return Problems.Problem.error(
        1,
        "not UTF-8 text: it is "
            + encoding
            + " (byte order mark "
            + String.format("0x%02X 0x%02X", bytes[0] & 0xFF, bytes[1] & 0xFF)
            + " at line 1)"
            + SAVE_AS_UTF8);
  }

  private static boolean isJson(byte[] bytes, int start) {
    for (int i = start; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{';
      }
    }
    return false;
  }

  /** Length of the well-formed UTF-8 sequence at {@code i}, or 0 if it is not one. */
  private static int sequenceLength(byte[] bytes, int i) {
    int b = bytes[i] & 0xFF;
    int length;
    int low = 0x80;
    int high = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      if (b == 0xE0) {
        low = 0xA0; // no overlong forms
      } else if (b == 0xED) {
        high = 0x9F; // no surrogates
      }
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      if (b == 0xF0) {
        low = 0x90;
      } else if (b == 0xF4) {
        high = 0x8F; // nothing above U+10FFFF
      }
    } else {
      return 0;
    }
    if (i + length > bytes.length) {
      return 0;
    }
    int second = bytes[i + 1] & 0xFF;
    if (second < low || second > high) {
      return 0;
    }
    for (int k = 2; k < length; k++) {
      int continuation = bytes[i + k] & 0xFF;
      if (continuation < 0x80 || continuation > 0xBF) {
        return 0;
      }
    }
    return length;
  }

  private static int decode(byte[] bytes, int i, int length) {
    int c = bytes[i] & (0xFF >> (length + 1));
    for (int k = 1; k < length; k++) {
      c = (c << 6) | (bytes[i + k] & 0x3F);
    }
    return c;
  }

  private static Problems.Problem notUtf8(byte[] bytes, int i, int line) {
    return Problems.Problem.error(
        line,
        String.format("not UTF-8 text (byte 0x%02X at line %d)", bytes[i] & 0xFF, line)
            + SAVE_AS_UTF8);
  }

  private static Problems.Problem controlCharacter(
      byte[] bytes, int start, int i, int line, int c) {
    if (c == 0) {
      // NUL is valid UTF-8 but no text file holds it: a binary file, or UTF-16 without a BOM.
      return notUtf8(bytes, i, line);
    }
    return Problems.Problem.error(
        line,
        String.format(
            "control character U+%04X at line %d, column %d: YAML and JSON do not allow it in a"
                + " file; delete it, or write it as an escape (such as \\e or \\x1b) inside a"
                + " double-quoted string",
            c, line, column(bytes, start, i)));
  }

  /** The 1-based column of byte {@code i}, counting characters from the start of its line. */
  private static int column(byte[] bytes, int start, int i) {
    int lineStart = i;
    while (lineStart > start && bytes[lineStart - 1] != '\n' && bytes[lineStart - 1] != '\r') {
      lineStart--;
    }
    int column = 1;
    for (int k = lineStart; k < i; k++) {
      if ((bytes[k] & 0xC0) != 0x80) {
        column++;
      }
    }
    return column;
  }

  private static final byte[][] PLACEHOLDER_ROOTS = {
    "args.".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
    "rollout.".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
  };

  /**
   * Whether the text after a {@code {{} at {@code from} is one of Ordinal's own placeholders
   * ({@code {{args.NAME}}}, {@code {{ rollout.namespace }}}): an AnalysisTemplate is full of them,
   * and a syntax error in one is not a sign of a template to render.
   */
  private static boolean isOrdinalPlaceholder(byte[] bytes, int from) {
    int at = from;
    while (at < bytes.length && (bytes[at] == ' ' || bytes[at] == '\t')) {
      at++;
    }
    for (byte[] root : PLACEHOLDER_ROOTS) {
      if (java.util.Arrays.equals(
          bytes, at, Math.min(at + root.length, bytes.length), root, 0, root.length)) {
        return true;
      }
    }
    return false;
  }
}
