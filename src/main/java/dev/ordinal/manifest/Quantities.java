package dev.ordinal.manifest;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' resource quantities ({@code 500m}, {@code 2}, {@code 1.5Gi}, {@code 1e3}), read as
 * the API server reads them: anything else is refused when the object is decoded.
 */
final class Quantities {

  // <signedNumber><suffix>, the grammar of k8s.io/apimachinery's resource.Quantity.
  private static final Pattern QUANTITY =
      Pattern.compile(
          "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(|[numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]+)");

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
    if (QUANTITY.matcher(text).matches()) {
      return null;
    }
    return "invalid quantity \""
        + text
        + "\": write a number with an optional unit, such as 500m, 2, 1.5Gi or 10M";
  }

  /** The value of a valid quantity; null if {@code text} is not one. */
  static BigDecimal value(String text) {
    Matcher matcher = QUANTITY.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    BigDecimal number =
        new BigDecimal(matcher.group(1).endsWith(".") ? matcher.group(1) + "0" : matcher.group(1));
    String suffix = matcher.group(2);
    if (!suffix.isEmpty() && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
      return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
    }
    return number.multiply(FACTORS.get(suffix));
  }
}
