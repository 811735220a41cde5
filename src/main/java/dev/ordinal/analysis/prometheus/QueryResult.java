package dev.ordinal.analysis.prometheus;

import dev.ordinal.analysis.condition.MetricResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The {@code data} of a Prometheus query response, by {@code resultType}. */
public sealed interface QueryResult {

  /** What conditions see as {@code result}. */
  MetricResult toMetricResult();

  record Scalar(Instant time, double value) implements QueryResult {
    @Override
    public MetricResult toMetricResult() {
      return MetricResult.scalar(value);
    }
  }

  record Sample(Map<String, String> labels, double value) {}

  record Vector(List<Sample> samples) implements QueryResult {
    public Vector {
      samples = List.copyOf(samples);
    }

    @Override
    public MetricResult toMetricResult() {
      return MetricResult.vector(samples.stream().map(Sample::value).toList());
    }
  }

  record Point(Instant time, double value) {}

  record Series(Map<String, String> labels, List<Point> points) {
    public Series {
      points = List.copyOf(points);
    }
  }

  record Matrix(List<Series> series) implements QueryResult {
    public Matrix {
      series = List.copyOf(series);
    }

    /** Every point of every series, series after series, as Argo hands a matrix to conditions. */
    @Override
    public MetricResult toMetricResult() {
      return MetricResult.matrix(
          series.stream().map(s -> s.points().stream().map(Point::value).toList()).toList());
    }
  }
}
