package dev.ordinal.analysis;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.condition.MetricResult;
import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusException;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.rollout.AnalysisVerdict;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replays a template against Prometheus' history: each metric's query runs as one range query, each
 * step's value is classified as a measurement would have been, and from every starting point the
 * following points are fed through the metric's limits until they decide, saying what a run started
 * at that point would have concluded. It answers "would this template have failed last week's bad
 * release, and does it pass normal days?" before the template gates a rollout.
 *
 * <p>A step where no series has a point is an empty result (INCONCLUSIVE), as a live measurement
 * would see it. Windows start at every point that leaves room for the longest {@code count} of the
 * template; a window the remaining points do not decide (errors, or a metric without a count that
 * no limit ended) is UNDECIDED. A metric with a {@code rangeQuery} is not replayed: each of its
 * measurements already looks at a range.
 */
public final class Backtest {
  private Backtest() {}

  /** What one metric would have done. */
  public record MetricReport(
      String metric,
      boolean dryRun,
      String query,
      int points,
      Map<MeasurementPhase, Integer> measurements,
      Map<MetricPhase, Integer> windows,
      String error) {}

  /** The whole backtest. {@code verdicts} counts the run verdict over every window. */
  public record Report(
      String template,
      Instant from,
      Instant to,
      Duration step,
      List<MetricReport> metrics,
      Map<AnalysisVerdict, Integer> verdicts) {

    /** A plain-text table for the CLI. */
    public String table() {
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              Locale.ROOT,
              "AnalysisTemplate %s from %s to %s step %s%n%n",
              template,
              from,
              to,
              step.toString().substring(2).toLowerCase(Locale.ROOT)));
      out.append(
          String.format(
              Locale.ROOT,
              "%-24s %6s %10s %6s %12s %5s   %s%n",
              "METRIC",
              "POINTS",
              "SUCCESSFUL",
              "FAILED",
              "INCONCLUSIVE",
              "ERROR",
              "WINDOWS (S/F/I/E)"));
      for (MetricReport metric : metrics) {
        out.append(
            String.format(
                Locale.ROOT,
                "%-24s %6d %10d %6d %12d %5d   %d/%d/%d/%d%n",
                metric.metric() + (metric.dryRun() ? " (dry)" : ""),
                metric.points(),
                metric.measurements().get(MeasurementPhase.SUCCESSFUL),
                metric.measurements().get(MeasurementPhase.FAILED),
                metric.measurements().get(MeasurementPhase.INCONCLUSIVE),
                metric.measurements().get(MeasurementPhase.ERROR),
                metric.windows().get(MetricPhase.SUCCESSFUL),
                metric.windows().get(MetricPhase.FAILED),
                metric.windows().get(MetricPhase.INCONCLUSIVE),
                metric.windows().get(MetricPhase.ERROR)));
        if (metric.error() != null) {
          out.append("  ").append(metric.error()).append(System.lineSeparator());
        }
      }
      out.append(System.lineSeparator()).append("run verdict over sliding windows:");
      for (AnalysisVerdict verdict : AnalysisVerdict.values()) {
        if (verdict != AnalysisVerdict.RUNNING) {
          out.append(' ').append(verdict).append('=').append(verdicts.get(verdict));
        }
      }
      out.append(" UNDECIDED=").append(verdicts.get(AnalysisVerdict.RUNNING));
      return out.append(System.lineSeparator()).toString();
    }
  }

  public static Report run(
      AnalysisTemplate template,
      Map<String, String> args,
      Instant from,
      Instant to,
      Duration step,
      PrometheusApi client)
      throws AnalysisSetupException {
    return run(template, args, null, from, to, step, client);
  }

  /**
   * @param rollout for {@code {{rollout.*}}} placeholders; null when the template uses none
   */
  public static Report run(
      AnalysisTemplate template,
      Map<String, String> args,
      RolloutContext rollout,
      Instant from,
      Instant to,
      Duration step,
      PrometheusApi client)
      throws AnalysisSetupException {
    if (!to.isAfter(from) || step.isZero() || step.isNegative()) {
      throw new AnalysisSetupException(
          "backtest needs from < to and a positive step; got "
              + from
              + " .. "
              + to
              + " step "
              + step);
    }
    // Prometheus answers at from + k*step; whole seconds keep those instants and ours identical.
    from = from.truncatedTo(ChronoUnit.SECONDS);
    List<PreparedMetric> prepared = PreparedMetric.prepare(template, args, rollout);
    List<Instant> times = new ArrayList<>();
    for (Instant t = from; !t.isAfter(to); t = t.plus(step)) {
      times.add(t);
    }
    List<MetricReport> reports = new ArrayList<>();
    List<List<MetricPhase>> windowPhases = new ArrayList<>();
    int starts = Math.max(0, times.size() - longestCount(prepared) + 1);
    for (PreparedMetric metric : prepared) {
      List<MeasurementPhase> phases = new ArrayList<>();
      String error = null;
      try {
        if (metric.range().isPresent()) {
          throw new PrometheusException(
              "metric '"
                  + metric.metric().name()
                  + "' has a rangeQuery: each measurement already looks at a range, so it is not"
                  + " replayed");
        }
        QueryResult.Matrix matrix =
            client.queryRange(metric.prometheus(), metric.query(), from, to, step);
        Map<Long, List<Double>> byTime = new HashMap<>();
        for (QueryResult.Series series : matrix.series()) {
          for (QueryResult.Point point : series.points()) {
            byTime
                .computeIfAbsent(point.time().toEpochMilli() / 1000, k -> new ArrayList<>())
                .add(point.value());
          }
        }
        for (Instant t : times) {
          List<Double> values = byTime.getOrDefault(t.toEpochMilli() / 1000, List.of());
          phases.add(metric.classify(MetricResult.vector(values)).phase());
        }
      } catch (PrometheusException e) {
        error = e.getMessage();
        for (int i = 0; i < times.size(); i++) {
          phases.add(MeasurementPhase.ERROR);
        }
      }
      List<MetricPhase> windows = windows(metric, phases, starts);
      windowPhases.add(windows);
      reports.add(
          new MetricReport(
              metric.metric().name(),
              metric.metric().dryRun(),
              metric.query(),
              phases.size(),
              count(MeasurementPhase.class, phases),
              count(MetricPhase.class, windows),
              error));
    }
    return new Report(
        template.name(), from, to, step, reports, verdicts(prepared, windowPhases, starts));
  }

  /** The longest effective count of the template's metrics; 1 when none has one. */
  private static int longestCount(List<PreparedMetric> metrics) {
    return metrics.stream()
        .mapToInt(m -> MetricTally.effectiveCount(m.metric()).orElse(1))
        .max()
        .orElse(1);
  }

  /** The phase a run started at each of the first {@code starts} points would have reached. */
  private static List<MetricPhase> windows(
      PreparedMetric metric, List<MeasurementPhase> phases, int starts) {
    List<MetricPhase> windows = new ArrayList<>();
    for (int start = 0; start < starts; start++) {
      MetricTally tally = MetricTally.EMPTY;
      MetricPhase phase = MetricPhase.RUNNING;
      for (int i = start; i < phases.size() && !phase.done(); i++) {
        tally = tally.add(phases.get(i));
        phase = tally.phase(metric.metric());
      }
      windows.add(phase);
    }
    return windows;
  }

  private static Map<AnalysisVerdict, Integer> verdicts(
      List<PreparedMetric> metrics, List<List<MetricPhase>> windows, int starts) {
    Map<AnalysisVerdict, Integer> verdicts = count(AnalysisVerdict.class, List.of());
    for (int start = 0; start < starts; start++) {
      List<Verdicts.MetricOutcome> outcomes = new ArrayList<>();
      for (int m = 0; m < metrics.size(); m++) {
        outcomes.add(
            new Verdicts.MetricOutcome(
                windows.get(m).get(start), metrics.get(m).metric().dryRun()));
      }
      verdicts.merge(Verdicts.combine(outcomes), 1, Integer::sum);
    }
    return verdicts;
  }

  private static <E extends Enum<E>> Map<E, Integer> count(Class<E> type, List<E> values) {
    Map<E, Integer> counts = new EnumMap<>(type);
    for (E constant : type.getEnumConstants()) {
      counts.put(constant, 0);
    }
    for (E value : values) {
      counts.merge(value, 1, Integer::sum);
    }
    return counts;
  }
}
