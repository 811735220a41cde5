package dev.ordinal.analysis;

import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusException;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Answers each query with the next scripted answer for it; the last answer repeats. */
final class ScriptedPrometheus implements PrometheusApi {
  private final Map<String, Deque<Object>> answers = new HashMap<>();
  final List<String> asked = new ArrayList<>();
  final List<String> askedRanges = new ArrayList<>();
  QueryResult.Matrix matrix;

  /** Values: a Double, a List of Doubles (vector), or a String (an error message). */
  ScriptedPrometheus answer(String query, Object... values) {
    answers.computeIfAbsent(query, q -> new ArrayDeque<>()).addAll(List.of(values));
    return this;
  }

  @Override
  public synchronized QueryResult query(Prometheus provider, String promql)
      throws PrometheusException {
    asked.add(promql);
    Deque<Object> queue = answers.get(promql);
    if (queue == null || queue.isEmpty()) {
      throw new PrometheusException("no scripted answer for '" + promql + "'");
    }
    Object answer = queue.size() > 1 ? queue.removeFirst() : queue.peekFirst();
    if (answer instanceof String message) {
      throw new PrometheusException(message);
    }
    if (answer instanceof Double value) {
      return new QueryResult.Scalar(Instant.EPOCH, value);
    }
    @SuppressWarnings("unchecked")
    List<Double> values = (List<Double>) answer;
    return new QueryResult.Vector(
        values.stream().map(v -> new QueryResult.Sample(Map.of(), v)).toList());
  }

  @Override
  public synchronized QueryResult.Matrix queryRange(
      Prometheus provider, String promql, Instant from, Instant to, Duration step) {
    askedRanges.add(promql + " from " + from + " to " + to + " step " + step);
    return matrix;
  }
}
