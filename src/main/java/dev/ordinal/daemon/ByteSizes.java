package dev.ordinal.daemon;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes in the daemon config, written as Kubernetes quantities: 1024, 512Ki, 256Mi, 1Gi, 10M. */
final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("\\s*(\\d{1,15})\\s*(Ki|Mi|Gi|k|K|M|G)?\\s*");

  private ByteSizes() {}

  /** The size in bytes, or empty when {@code text} is not a positive size. */
  static OptionalLong parse(String text) {
    if (text == null) {
      return OptionalLong.empty();
    }
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    long n = Long.parseLong(m.group(1));
    long unit =
        m.group(2) == null
            ? 1
            : switch (m.group(2)) {
              case "Ki" -> 1L << 10;
              case "Mi" -> 1L << 20;
              case "Gi" -> 1L << 30;
              case "k", "K" -> 1_000L;
              case "M" -> 1_000_000L;
              default -> 1_000_000_000L;
            };
    if (n <= 0 || n > Long.MAX_VALUE / unit) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(n * unit);
  }
}
