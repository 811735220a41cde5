package dev.ordinal.analysis;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.condition.Condition;
import dev.ordinal.analysis.condition.ConditionException;
import dev.ordinal.analysis.condition.MetricResult;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A metric ready to measure: its query rendered and its conditions parsed. */
public record PreparedMetric(
    String template,
    Metric metric,
    String query,
    Optional<Condition> successCondition,
    Optional<Condition> failureCondition) {

  /** Prepares every metric of {@code template} with {@code args} (the AnalysisRef's). */
  public static List<PreparedMetric> prepare(
      AnalysisTemplate template, Map<String, String> args, RolloutContext rollout)
      throws AnalysisSetupException {
    Map<String, String> resolved = QueryTemplates.resolveArgs(template, args);
    List<PreparedMetric> prepared = new ArrayList<>();
    for (Metric metric : template.metrics()) {
      Prometheus prometheus = (Prometheus) metric.provider();
      String query;
      try {
        query = QueryTemplates.render(prometheus.query(), resolved, rollout);
      } catch (AnalysisSetupException e) {
        throw new AnalysisSetupException(
            "AnalysisTemplate '"
                + template.name()
                + "', metric '"
                + metric.name()
                + "': "
                + e.getMessage());
      }
      prepared.add(
          new PreparedMetric(
              template.name(),
              metric,
              query,
              parse(template, metric, "successCondition", metric.successCondition()),
              parse(template, metric, "failureCondition", metric.failureCondition())));
    }
    return prepared;
  }

  private static Optional<Condition> parse(
      AnalysisTemplate template, Metric metric, String field, Optional<String> source)
      throws AnalysisSetupException {
    if (source.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Condition.parse(source.get()));
    } catch (ConditionException e) {
      throw new AnalysisSetupException(
          "AnalysisTemplate '"
              + template.name()
              + "', metric '"
              + metric.name()
              + "', "
              + field
              + " '"
              + source.get()
              + "': "
              + e.getMessage());
    }
  }

  public Prometheus prometheus() {
    return (Prometheus) metric.provider();
  }

  /** "template/metric", unique within a run. */
  public String key() {
    return template + "/" + metric.name();
  }

  public MeasurementRules.Classification classify(MetricResult result) {
    return MeasurementRules.classify(successCondition, failureCondition, result);
  }
}
