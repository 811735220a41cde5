package dev.ordinal.manifest;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises files that are templates to render rather than manifests: Helm (Go templates) and
 * Jinja. Only sure signs count, because committed manifests carry '{{ }}' of their own: Ordinal's
 * {@code {{ args.name }}}, Prometheus rules' {@code {{ $labels.pod }}}, Argo Workflows' parameters.
 */
final class Templates {

  // A line that is nothing but a template action ({{- if .Values.x }}, {{ end }}, {% for %}), or
  // an action that reads Helm's built-in objects anywhere on a line.
  private static final Pattern SURE =
      Pattern.compile(
          "^[ \\t]*(?:\\{\\{-?\\s*(?:if|else|end|range|with|define|template|include|block|/\\*|-)"
              + "[^\\n]*|\\{%-?\\s*\\w[^\\n]*)$"
              + "|\\{\\{-?[^}\\n]*\\.(?:Values|Release|Chart|Capabilities|Files|Template)\\b"
              + "[^\\n]*",
          Pattern.MULTILINE);

  private Templates() {}

  /** The problem of a file that is an unrendered template, or null. */
  static Problems.Problem find(byte[] bytes, TextScan scan) {
    String text =
        new String(bytes, scan.start(), bytes.length - scan.start(), StandardCharsets.UTF_8);
    Matcher matcher = SURE.matcher(text);
    if (!matcher.find()) {
      return null;
    }
    int line = 1;
    for (int i = 0; i < matcher.start(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    String excerpt = matcher.group().strip();
    if (excerpt.length() > 60) {
      excerpt = excerpt.substring(0, 57) + "...";
    }
    return Problems.Problem.error(
        line,
        "looks like an unrendered template ("
            + excerpt
            + "); render it first (helm template, or the tool it is written for) and commit the"
            + " output, or exclude it from the path");
  }

  /** A hint for a syntax error in a file that has '{{' without being surely a template. */
  static String hint() {
    return " (the file contains '{{': if it is a template, render it first or exclude it)";
  }
}
