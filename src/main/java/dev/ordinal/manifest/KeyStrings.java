package dev.ordinal.manifest;

import java.nio.charset.StandardCharsets;

/**
 * The Strings of plain ASCII mapping keys, made once and handed out again: manifests repeat a few
 * hundred keys (name, image, containerPort) thousands of times. A String made anew for each was a
 * fifth of what {@link BlockYaml} allocated in a cold load of 10,000 StatefulSets, and each new one
 * also hashed itself again wherever a map or Jackson's property table looked it up; a String handed
 * out again has its hash already.
 *
 * <p>A fixed table indexed by the bytes' hash, with no lock: threads that race on a slot each store
 * a complete String (its fields are final), and the loser's is simply made again next time.
 */
final class KeyStrings {

  // A power of two, well above the number of distinct keys of a typical repository.
  private static final int SLOTS = 4096;
  // Longer keys (annotation names) recur less, and comparing them costs more.
  private static final int MAX_LENGTH = 64;

  private static final String[] TABLE = new String[SLOTS];

  private KeyStrings() {}

  /** The String of the ASCII bytes {@code from} to {@code until}, shared when seen before. */
  static String of(byte[] bytes, int from, int until) {
    int length = until - from;
    if (length > MAX_LENGTH) {
      return new String(bytes, from, length, StandardCharsets.ISO_8859_1);
    }
    int hash = 0;
    for (int k = from; k < until; k++) {
      hash = 31 * hash + (bytes[k] & 0xff);
    }
    int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
    String known = TABLE[slot];
    if (known != null && sameText(known, bytes, from, length)) {
      return known;
    }
    String made = new String(bytes, from, length, StandardCharsets.ISO_8859_1);
    TABLE[slot] = made;
    return made;
  }

  private static boolean sameText(String known, byte[] bytes, int from, int length) {
    if (known.length() != length) {
      return false;
    }
    for (int k = 0; k < length; k++) {
      if (known.charAt(k) != (char) (bytes[from + k] & 0xff)) {
        return false;
      }
    }
    return true;
  }
}
