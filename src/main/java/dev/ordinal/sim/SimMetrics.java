package dev.ordinal.sim;

import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusException;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Prometheus that answers from a script, beside the real client behind the same port: a query
 * whose PromQL names a scripted metric gets, as one sample, the next of the values the script holds
 * for it, in turn; a query that names none gets no data, as from a Prometheus without the series.
 * The script says what the canary's query results are, not the raw series: the analysis runner
 * still renders each template's query, classifies the result with its conditions and counts it
 * against its limits, exactly as it does against a real Prometheus.
 */
public final class SimMetrics implements PrometheusApi {
  private record Script(List<Double> values, AtomicLong answered) {}

  private final Map<String, Script> scripts = new ConcurrentHashMap<>();

  /**
   * From now on, a query naming {@code metric} answers {@code values} one after the other, then
   * from the first again.
   */
  public SimMetrics answer(String metric, double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("at least one value for " + metric);
    }
    List<Double> list = new ArrayList<>();
    for (double v : values) {
      list.add(v);
    }
    scripts.put(metric, new Script(List.copyOf(list), new AtomicLong()));
    return this;
  }

  @Override
  public QueryResult query(Prometheus provider, String promql) throws PrometheusException {
    List<String> named = new ArrayList<>();
    for (String metric : scripts.keySet()) {
      if (promql.contains(metric)) {
        named.add(metric);
      }
    }
    if (named.isEmpty()) {
      return new QueryResult.Vector(List.of());
    }
    if (named.size() > 1) {
      throw new PrometheusException(
          "the simulated Prometheus cannot tell which of " + named + " this query asks for");
    }
    Script script = scripts.get(named.get(0));
    int next = (int) (script.answered().getAndIncrement() % script.values().size());
    return new QueryResult.Vector(
        List.of(new QueryResult.Sample(Map.of(), script.values().get(next))));
  }

  @Override
  public QueryResult.Matrix queryRange(
      Prometheus provider, String promql, Instant from, Instant to, Duration step)
      throws PrometheusException {
    throw new PrometheusException(
        "the simulated Prometheus answers instant queries only; this template uses a rangeQuery");
  }
}
