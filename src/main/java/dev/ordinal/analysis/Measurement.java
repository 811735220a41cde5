package dev.ordinal.analysis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One measurement as shown by {@code ordinal status}: when, the value Prometheus returned (as text,
 * e.g. {@code [0.012, NaN]}; empty on error) and why it was classified the way it was.
 */
public record Measurement(Instant time, MeasurementPhase phase, String value, String message) {

  /**
   * The numbers in {@link #value()}, in order, as a chart plots them: {@code [0.012, NaN]} gives
   * 0.012 and NaN; empty after an error. The text is the analysis package's own rendering of a
   * result ({@code MetricResult#toString}), so reading it back here keeps the format in one place.
   */
  public List<Double> numbers() {
    String text = value == null ? "" : value.trim();
    if (text.startsWith("[") && text.endsWith("]")) {
      text = text.substring(1, text.length() - 1);
    }
    List<Double> numbers = new ArrayList<>();
    for (String part : text.split(",")) {
      String item = part.trim();
      if (item.isEmpty()) {
        continue;
      }
      try {
        numbers.add(Double.parseDouble(item.replace("Inf", "Infinity")));
      } catch (NumberFormatException e) {
        return List.of();
      }
    }
    return numbers;
  }
}
