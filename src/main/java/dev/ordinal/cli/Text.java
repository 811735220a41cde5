package dev.ordinal.cli;

import dev.ordinal.manifest.Escapes;

/**
 * What the CLI echoes back from its input or from the cluster, made safe to print, written out as
 * {@link Escapes#controls} writes manifest text ({@code \x1b}, {@code \n}, {@code \u202e}), so that
 * one echo reads like every other.
 */
final class Text {
  private Text() {}

  /**
   * {@code value} in single quotes with control characters written out, so that nothing echoed can
   * move the cursor, clear the screen or forge a line of output.
   */
  static String quoted(String value) {
    return "'" + escaped(value) + "'";
  }

  /** {@code value} with control characters written out. */
  static String escaped(String value) {
    return Escapes.controls(value);
  }
}
