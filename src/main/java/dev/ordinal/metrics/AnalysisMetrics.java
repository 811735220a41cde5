package dev.ordinal.metrics;

import dev.ordinal.analysis.AnalysisRunner;
import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.Measurement;
import dev.ordinal.analysis.MeasurementPhase;
import dev.ordinal.analysis.MetricPhase;
import dev.ordinal.analysis.RunSnapshot;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Analysis as metrics, per StatefulSet, template and metric: the last value measured (what argo
 * rollouts users ask for in #2276), each measurement's verdict as a counter, each metric's final
 * phase, and the numbers its conditions compare with, so a dashboard draws values against
 * thresholds.
 *
 * <p>Template and metric names come from Git, so their series are bounded here rather than trusted:
 * a StatefulSet keeps the series of its {@value #METRICS_PER_STATEFULSET} most recently measured
 * metrics (a template renamed in Git drops out as new ones are measured), and all of them go when
 * the StatefulSet leaves the cluster ({@link #forget}).
 */
public final class AnalysisMetrics implements AnalysisRunner.MeasurementListener {
  private static final String[] KEY = {"namespace", "statefulset", "template", "metric"};

  private final Gauge value;
  private final Counter measurements;
  private final Counter results;
  private final Gauge threshold;

  /** Per StatefulSet ({@code namespace/name}), its measured template and metric pairs, LRU. */
  private final Map<String, LinkedHashMap<List<String>, Boolean>> seen = new LinkedHashMap<>();

  /** More metrics than any policy's analyses hold; older series beyond it are dropped. */
  static final int METRICS_PER_STATEFULSET = 32;

  public AnalysisMetrics(PrometheusRegistry registry) {
    value =
        Gauge.builder()
            .name("ordinal_analysis_measurement_value")
            .help(
                "The last value an analysis metric measured (the first number of the result; NaN"
                    + " when the result held none)")
            .labelNames(KEY)
            .register(registry);
    measurements =
        Counter.builder()
            .name("ordinal_analysis_measurements_total")
            .help(
                "Analysis measurements by verdict: successful, failed, inconclusive, error (the"
                    + " query or condition could not be evaluated)")
            .labelNames(with("phase"))
            .register(registry);
    results =
        Counter.builder()
            .name("ordinal_analysis_metric_results_total")
            .help(
                "Analysis metrics that reached a final phase: successful, failed, inconclusive, error")
            .labelNames(with("phase"))
            .register(registry);
    threshold =
        Gauge.builder()
            .name("ordinal_analysis_threshold")
            .help(
                "A number an analysis metric's successCondition or failureCondition compares the"
                    + " result with, such as 0.05 in result[0] < 0.05")
            .labelNames(with("condition", "op"))
            .register(registry);
  }

  private static String[] with(String... extra) {
    String[] all = new String[KEY.length + extra.length];
    System.arraycopy(KEY, 0, all, 0, KEY.length);
    System.arraycopy(extra, 0, all, KEY.length, extra.length);
    return all;
  }

  @Override
  public void measured(
      RolloutContext rollout,
      String template,
      String metric,
      Measurement measurement,
      MetricPhase metricPhase,
      List<RunSnapshot.Threshold> thresholds) {
    String ns = rollout.namespace();
    String sts = rollout.statefulSet();
    if (firstOf(ns, sts, template, metric)) {
      // every verdict has a series from the first measurement on, so increase() sees the first one
      for (MeasurementPhase p : MeasurementPhase.values()) {
        measurements.labelValues(ns, sts, template, metric, lower(p.name()));
      }
      for (MetricPhase p : MetricPhase.values()) {
        if (p.done()) {
          results.labelValues(ns, sts, template, metric, lower(p.name()));
        }
      }
    }
    List<Double> numbers = measurement.numbers();
    value
        .labelValues(ns, sts, template, metric)
        .set(numbers.isEmpty() ? Double.NaN : numbers.get(0));
    measurements.labelValues(ns, sts, template, metric, lower(measurement.phase().name())).inc();
    if (metricPhase.done()) {
      results.labelValues(ns, sts, template, metric, lower(metricPhase.name())).inc();
    }
    for (RunSnapshot.Threshold t : thresholds) {
      threshold
          .labelValues(ns, sts, template, metric, t.failure() ? "failure" : "success", t.op())
          .set(t.value());
    }
  }

  /**
   * Whether this is the pair's first measurement (then its series are created), dropping the series
   * of the StatefulSet's least recently measured pair past the bound.
   */
  private synchronized boolean firstOf(String ns, String sts, String template, String metric) {
    LinkedHashMap<List<String>, Boolean> pairs =
        seen.computeIfAbsent(ns + "/" + sts, k -> new LinkedHashMap<>(16, 0.75f, true));
    List<String> pair = List.of(template, metric);
    if (pairs.put(pair, Boolean.TRUE) != null) {
      return false;
    }
    if (pairs.size() > METRICS_PER_STATEFULSET) {
      List<String> eldest = pairs.keySet().iterator().next();
      pairs.remove(eldest);
      removeIf(l -> l.get(0).equals(ns) && l.get(1).equals(sts) && l.subList(2, 4).equals(eldest));
    }
    return true;
  }

  /** Drops every series of a StatefulSet that left the cluster. */
  public synchronized void forget(String namespace, String statefulSet) {
    seen.remove(namespace + "/" + statefulSet);
    removeIf(l -> l.get(0).equals(namespace) && l.get(1).equals(statefulSet));
  }

  private void removeIf(Function<List<String>, Boolean> matches) {
    value.removeIf(matches);
    measurements.removeIf(matches);
    results.removeIf(matches);
    threshold.removeIf(matches);
  }

  private static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
