package dev.ordinal.analysis;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.analysis.condition.Condition;
import dev.ordinal.analysis.condition.ConditionException;
import dev.ordinal.analysis.condition.MetricResult;
import dev.ordinal.analysis.condition.TimeExpression;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A metric ready to measure: its query rendered, its conditions and rangeQuery times parsed with
 * their placeholders filled in.
 *
 * @param range the range query's start, end and step, when the metric has one
 */
public record PreparedMetric(
    String template,
    Metric metric,
    String query,
    Optional<Condition> successCondition,
    Optional<Condition> failureCondition,
    Optional<Range> range) {

  /** A rangeQuery ready to evaluate at each measurement. */
  public record Range(TimeExpression start, TimeExpression end, Duration step) {}

  /** Prepares every metric of {@code template} with {@code args} (the AnalysisRef's). */
  public static List<PreparedMetric> prepare(
      AnalysisTemplate template, Map<String, String> args, RolloutContext rollout)
      throws AnalysisSetupException {
    Map<String, String> resolved = QueryTemplates.resolveArgs(template, args);
    List<PreparedMetric> prepared = new ArrayList<>();
    for (Metric metric : template.metrics()) {
      Prometheus prometheus = (Prometheus) metric.provider();
      Where where = new Where(template, metric, resolved, rollout);
      String query;
      try {
        query = QueryTemplates.render(prometheus.query(), resolved, rollout);
      } catch (AnalysisSetupException e) {
        throw where.error(e.getMessage());
      }
      Optional<Range> range = Optional.empty();
      if (prometheus.rangeQuery().isPresent()) {
        AnalysisTemplate.RangeQuery rangeQuery = prometheus.rangeQuery().get();
        range =
            Optional.of(
                new Range(
                    where.time("rangeQuery.start", rangeQuery.start()),
                    where.time("rangeQuery.end", rangeQuery.end()),
                    rangeQuery.step()));
      }
      prepared.add(
          new PreparedMetric(
              template.name(),
              metric,
              query,
              where.condition("successCondition", metric.successCondition()),
              where.condition("failureCondition", metric.failureCondition()),
              range));
    }
    return prepared;
  }

  /** One metric being prepared: parses and binds its expressions, naming it in errors. */
  private record Where(
      AnalysisTemplate template, Metric metric, Map<String, String> args, RolloutContext rollout) {

    AnalysisSetupException error(String message) {
      return new AnalysisSetupException(
          "AnalysisTemplate '" + template.name() + "', metric '" + metric.name() + "': " + message);
    }

    Optional<Condition> condition(String field, Optional<String> source)
        throws AnalysisSetupException {
      if (source.isEmpty()) {
        return Optional.empty();
      }
      String what = field + " '" + source.get() + "'";
      try {
        Condition condition = Condition.parse(source.get());
        List<String> names =
            condition.placeholders().stream().map(Condition.Placeholder::name).toList();
        return Optional.of(condition.bind(QueryTemplates.values(names, args, rollout, what)));
      } catch (ConditionException e) {
        throw error(what + ": " + e.getMessage());
      } catch (AnalysisSetupException e) {
        throw error(e.getMessage());
      }
    }

    TimeExpression time(String field, String source) throws AnalysisSetupException {
      String what = field + " '" + source + "'";
      try {
        TimeExpression time = TimeExpression.parse(source);
        List<String> names = time.placeholders().stream().map(Condition.Placeholder::name).toList();
        return time.bind(QueryTemplates.values(names, args, rollout, what));
      } catch (ConditionException e) {
        throw error(what + ": " + e.getMessage());
      } catch (AnalysisSetupException e) {
        throw error(e.getMessage());
      }
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
