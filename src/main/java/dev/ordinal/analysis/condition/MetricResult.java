package dev.ordinal.analysis.condition;

import java.util.List;

/**
 * What a condition calls {@code result}, as Argo Rollouts' Prometheus provider hands it over: the
 * number a scalar query returned; the sample values of a vector (one per series, in Prometheus'
 * order); or, for a range query, every point of every series of the matrix, series after series.
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

  static MetricResult matrix(List<List<Double>> series) {
    return new Matrix(series);
  }

  record Scalar(double value) implements MetricResult {
    @Override
    public List<Double> values() {
      return List.of(value);
    }

    @Override
    public String toString() {
      return Value.format(value);
    }
  }

  record Vector(List<Double> values) implements MetricResult {
    public Vector {
      values = List.copyOf(values);
    }

    @Override
    public String toString() {
      return list(values);
    }
  }

  /** A range query's answer; {@code series} holds each series' point values in time order. */
  record Matrix(List<List<Double>> series) implements MetricResult {
    public Matrix {
      series = series.stream().map(List::copyOf).toList();
    }

    @Override
    public List<Double> values() {
      return series.stream().flatMap(List::stream).toList();
    }

    @Override
    public String toString() {
      return list(values());
    }
  }

  private static String list(List<Double> values) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < values.size(); i++) {
      text.append(i == 0 ? "" : ", ").append(Value.format(values.get(i)));
    }
    return text.append(']').toString();
  }
}
