package dev.ordinal.cli;

import java.util.List;

/** Plain-text tables as kubectl prints them: a header row, columns padded, no borders. */
final class Tables {
  private Tables() {}

  /** The rows (the first one the header) with every column but the last padded to its widest. */
  static String render(List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(
            i == row.length - 1 ? row[i] : row[i] + " ".repeat(widths[i] - row[i].length() + 2));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
