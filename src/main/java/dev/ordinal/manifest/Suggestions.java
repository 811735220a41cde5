package dev.ordinal.manifest;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean ...?": the known name closest to a misspelt one. */
final class Suggestions {

  // Letters from other scripts that look like Latin ones: a field name typed with one of them is
  // invisible to a reader but unknown to the API server.
  private static final String LOOKALIKES = "аеорсхуіјѕԁһӏАВЕКМНОРСТХІЈЅαοινκρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ";
  private static final String LATIN = "aeopcxyijsdhlABEKMHOPCTXIJSaoivkptuxABEZHIKMNOPTYX";

  private Suggestions() {}

  /** The candidate closest to {@code name}, or null when none is close enough to suggest. */
  static String closest(String name, Collection<String> candidates) {
    String folded = fold(name);
    String lower = folded.toLowerCase(Locale.ROOT);
    int allowed = name.length() <= 4 ? 1 : name.length() <= 8 ? 2 : 3;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.equals(folded)) {
        return candidate;
      }
      String candidateLower = candidate.toLowerCase(Locale.ROOT);
      int distance;
      if (candidateLower.equals(lower)) {
        distance = 0;
      } else if ((candidateLower.startsWith(lower) || lower.startsWith(candidateLower))
          && Math.abs(candidate.length() - name.length()) <= 3
          && Math.min(candidate.length(), name.length()) >= 3) {
        distance = 1;
      } else if (Math.abs(candidateLower.length() - lower.length()) > allowed) {
        // The distance is at least the difference in length: too far to suggest, so not worth
        // computing (a kind has dozens of fields, and a file may have thousands of typos).
        continue;
      } else {
        distance = distance(lower, candidateLower);
      }
      if (distance < bestDistance
          || (distance == bestDistance && best != null && candidate.compareTo(best) < 0)) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return bestDistance <= allowed ? best : null;
  }

  /**
   * The first character of {@code name} outside printable ASCII, described ("'р' U+0440 CYRILLIC
   * SMALL LETTER ER"), or null. Field names are ASCII, so such a character is always a mistake.
   */
  static String nonAscii(String name) {
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      if (c < 0x20 || c > 0x7E) {
        String shown = Escapes.unsafe(c) ? "" : "'" + new String(Character.toChars(c)) + "' ";
        String unicodeName = Character.getName(c);
        return shown + String.format("U+%04X", c) + (unicodeName == null ? "" : " " + unicodeName);
      }
      i += Character.charCount(c);
    }
    return null;
  }

  private static String fold(String name) {
    StringBuilder out = null;
    for (int i = 0; i < name.length(); i++) {
      int at = LOOKALIKES.indexOf(name.charAt(i));
      if (at >= 0) {
        if (out == null) {
          out = new StringBuilder(name);
        }
        out.setCharAt(i, LATIN.charAt(at));
      }
    }
    return out == null ? name : out.toString();
  }

  /** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
  static int distance(String a, String b) {
    // Rows i-2, i-1 and i of the table, rotated: a swap looks two rows back, nothing further.
    int[] twoBack = new int[b.length() + 1];
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          current[j] = Math.min(current[j], twoBack[j - 2] + 1);
        }
      }
      int[] spare = twoBack;
      twoBack = previous;
      previous = current;
      current = spare;
    }
    return previous[b.length()];
  }
}
