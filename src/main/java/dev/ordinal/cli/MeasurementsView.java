package dev.ordinal.cli;

import dev.ordinal.analysis.Measurement;
import dev.ordinal.analysis.MetricTally;
import dev.ordinal.analysis.RunRecord;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The analysis measurements of one StatefulSet's runs, as {@code ordinal status} shows them: per
 * metric the tally, the limits it is measured under, its phase and the limit that decided it, and
 * the most recent values, newest last.
 */
final class MeasurementsView {
  private MeasurementsView() {}

  static String render(String namespace, String statefulSet, List<RunRecord> runs) {
    List<RunRecord> mine =
        runs.stream()
            .filter(
                r ->
                    r.context() != null
                        && namespace.equals(r.context().namespace())
                        && statefulSet.equals(r.context().statefulSet()))
            .sorted(Comparator.comparing(RunRecord::startedAt))
            .toList();
    if (mine.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("Measurements:\n");
    for (RunRecord run : mine) {
      b.append("  run ").append(run.runId()).append(run.stopped() ? " (stopped)" : "").append('\n');
      if (run.setupError() != null) {
        b.append("    error: ").append(run.setupError()).append('\n');
      }
      for (RunRecord.MetricRecord metric : run.metrics()) {
        var t = metric.tally();
        b.append(
            String.format(
                "    %s/%s  %d measured: %d successful, %d failed, %d inconclusive, %d errors%n",
                metric.template(),
                metric.metric(),
                t.counted() + t.errors(),
                t.successful(),
                t.failed(),
                t.inconclusive(),
                t.errors()));
        if (metric.limits() != null) {
          b.append("      limits: ").append(metric.limits().describe()).append('\n');
        }
        if (metric.decision() != null) {
          MetricTally.Decision decision = metric.decision();
          b.append("      ").append(decision.phase());
          if (decision.rule() != MetricTally.Rule.NONE) {
            b.append(" by ").append(decision.rule().field());
          }
          b.append(": ").append(decision.explanation()).append('\n');
        }
        if (!metric.recent().isEmpty()) {
          b.append("      last: ")
              .append(
                  metric.recent().stream()
                      .map(MeasurementsView::one)
                      .collect(Collectors.joining(", ")))
              .append('\n');
        }
      }
    }
    return b.toString();
  }

  private static String one(Measurement m) {
    String value = m.value() == null || m.value().isEmpty() ? "-" : m.value();
    return value + " " + m.phase().name().toLowerCase(Locale.ROOT);
  }
}
