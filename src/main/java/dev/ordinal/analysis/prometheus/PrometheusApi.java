package dev.ordinal.analysis.prometheus;

import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import java.time.Duration;
import java.time.Instant;

/** Queries a metric's Prometheus provider; the seam unit tests replace. */
public interface PrometheusApi {
  QueryResult query(Prometheus provider, String promql) throws PrometheusException;

  QueryResult.Matrix queryRange(
      Prometheus provider, String promql, Instant from, Instant to, Duration step)
      throws PrometheusException;
}
