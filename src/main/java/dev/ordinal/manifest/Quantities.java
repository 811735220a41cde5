package dev.ordinal.manifest;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Kubernetes' resource quantities ({@code 500m}, {@code 2}, {@code 1.5Gi}, {@code 1e3}), read as
 * the API server reads them: anything else is refused when the object is decoded.
 *
 * <p>The grammar of k8s.io/apimachinery's resource.Quantity: a signed number ({@code 1}, {@code
 * 1.5}, {@code .5}, {@code 1.}) then a suffix, binary ({@code Ki} to {@code Ei}), decimal ({@code
 * n}, {@code u}, {@code m}, {@code k}, {@code M} to {@code E}) or an exponent ({@code e3}).
 */
final class Quantities {

  private static final Map<String, BigDecimal> FACTORS =
      Map.ofEntries(
          Map.entry("n", new BigDecimal("1e-9")),
          Map.entry("u", new BigDecimal("1e-6")),
          Map.entry("m", new BigDecimal("1e-3")),
          Map.entry("", BigDecimal.ONE),
          Map.entry("k", new BigDecimal("1e3")),
          Map.entry("M", new BigDecimal("1e6")),
          Map.entry("G", new BigDecimal("1e9")),
          Map.entry("T", new BigDecimal("1e12")),
          Map.entry("P", new BigDecimal("1e15")),
          Map.entry("E", new BigDecimal("1e18")),
          Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
          Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
          Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
          Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
          Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
          Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

  private Quantities() {}

  /** Why {@code text} is not a quantity, or null if it is one. */
  static String problem(String text) {
    int end = numberEnd(text);
    if (end > 0 && validSuffix(text, end)) {
      return null;
    }
    return "invalid quantity \""
        + text
        + "\": write a number with an optional unit, such as 500m, 2, 1.5Gi or 10M";
  }

  /** The value of a valid quantity; null if {@code text} is not one. */
  static BigDecimal value(String text) {
    int end = numberEnd(text);
    if (end <= 0 || !validSuffix(text, end)) {
      return null;
    }
    String suffix = text.substring(end);
    String number = text.substring(0, end);
    BigDecimal value = new BigDecimal(number.endsWith(".") ? number + "0" : number);
    if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
      try {
        return value.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
      } catch (NumberFormatException e) {
        return null; // an exponent beyond int: no resource is that large
      }
    }
    return value.multiply(FACTORS.get(suffix));
  }

  /**
   * Where the signed number at the start of {@code text} ends: its length, or 0 when it does not
   * start with one (at least one digit, at most one '.').
   */
  private static int numberEnd(String text) {
    int i = 0;
    if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    boolean point = false;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    return digits == 0 ? 0 : i;
  }

  /** Whether {@code text} from {@code start} on is a suffix: a unit, an exponent or nothing. */
  private static boolean validSuffix(String text, int start) {
    int length = text.length() - start;
    // Every unit is at most two letters.
    if (length <= 2 && FACTORS.containsKey(text.substring(start))) {
      return true;
    }
    if (length < 2 || (text.charAt(start) != 'e' && text.charAt(start) != 'E')) {
      return false;
    }
    int i = text.charAt(start + 1) == '+' || text.charAt(start + 1) == '-' ? start + 2 : start + 1;
    if (i == text.length()) {
      return false;
    }
    for (; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
