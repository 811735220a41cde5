package dev.ordinal.analysis.condition;

import java.util.List;

/**
 * What a condition calls {@code result}: the scalar a query returned, or the sample values of the
 * vector it returned (one per series, in Prometheus' order).
 */
public sealed interface MetricResult {

  /** The values as a list: a scalar is a list of one. */
  List<Double> values();

  /** No sample at all: the query matched no series (e.g. no traffic yet). */
  default boolean isEmpty() {
    return values().isEmpty();
  }

  /** Some value is NaN or infinite, e.g. a rate of 0 errors over 0 requests. */
  default boolean hasNonFinite() {
    return values().stream().anyMatch(v -> !Double.isFinite(v));
  }

  static MetricResult scalar(double value) {
    return new Scalar(value);
  }

  static MetricResult vector(List<Double> values) {
    return new Vector(values);
  }

  record Scalar(double value) implements MetricResult {
    @Override
    public List<Double> values() {
      return List.of(value);
    }

    @Override
    public String toString() {
      return Condition.format(value);
    }
  }

  record Vector(List<Double> values) implements MetricResult {
    public Vector {
      values = List.copyOf(values);
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder("[");
      for (int i = 0; i < values.size(); i++) {
        text.append(i == 0 ? "" : ", ").append(Condition.format(values.get(i)));
      }
      return text.append(']').toString();
    }
  }
}
