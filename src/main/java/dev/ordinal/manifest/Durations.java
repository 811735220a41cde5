package dev.ordinal.manifest;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Ordinal's files write them: "30s", "5m", "1h30m", "250ms", or a number of seconds.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h))+");
  private static final Pattern ALL_DIGITS = Pattern.compile("\\d+");

  private Durations() {}

  /** The duration, or empty when the text is not one. */
  public static Optional<Duration> parse(String value) {
    String text = value.trim();
    try {
      if (ALL_DIGITS.matcher(text).matches()) {
        return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
      }
      if (!WHOLE.matcher(text).matches()) {
        return Optional.empty();
      }
      Duration total = Duration.ZERO;
      Matcher part = PART.matcher(text);
      while (part.find()) {
        long amount = Long.parseLong(part.group(1));
        switch (part.group(2)) {
          case "ms" -> total = total.plusMillis(amount);
          case "s" -> total = total.plusSeconds(amount);
          case "m" -> total = total.plusMinutes(amount);
          default -> total = total.plusHours(amount);
        }
      }
      return Optional.of(total);
    } catch (NumberFormatException | ArithmeticException tooLarge) {
      return Optional.empty();
    }
  }
}
