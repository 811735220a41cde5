package dev.ordinal.analysis;

import dev.ordinal.manifest.AnalysisTemplate.Metric;
import java.util.OptionalInt;

/**
 * Counts of a metric's measurements so far, and the phase they add up to under the metric's limits
 * — Argo Rollouts' rules, in this order:
 *
 * <ol>
 *   <li>FAILED when failed &gt; failureLimit (-1: no limit);
 *   <li>INCONCLUSIVE when inconclusive &gt; inconclusiveLimit (-1: no limit);
 *   <li>ERROR when consecutive errors &gt; consecutiveErrorLimit (a non-error resets the streak);
 *   <li>SUCCESSFUL when consecutive successes reach consecutiveSuccessLimit (0: not used);
 *   <li>once {@link #effectiveCount} measurements are counted: with a consecutiveSuccessLimit that
 *       was not reached, INCONCLUSIVE (or FAILED when failureLimit is -1); otherwise SUCCESSFUL;
 *   <li>when the run is stopped (the rollout no longer needs it) a metric still running ends
 *       SUCCESSFUL, as Argo ends a terminated run;
 *   <li>otherwise RUNNING: a metric with an interval and no count measures until a limit decides or
 *       the run is stopped.
 * </ol>
 *
 * <p>One deliberate difference: missing data never passes. In rules 5 and 6 a metric whose
 * measurements include no SUCCESSFUL one is INCONCLUSIVE (Argo would say Successful).
 *
 * <p>As in Argo, an ERROR measurement does not count towards {@code count}: it is retried, and only
 * the consecutive-error limit ends a metric that cannot measure.
 *
 * @param counted measurements that count towards {@code count}: all but errors
 */
public record MetricTally(
    int counted,
    int successful,
    int failed,
    int inconclusive,
    int errors,
    int consecutiveErrors,
    int consecutiveSuccesses) {

  public static final MetricTally EMPTY = new MetricTally(0, 0, 0, 0, 0, 0, 0);

  /** The rule that decided a metric's phase. */
  public enum Rule {
    /** Nothing yet: the metric is still measuring. */
    NONE("nothing yet"),
    FAILURE_LIMIT("failureLimit"),
    INCONCLUSIVE_LIMIT("inconclusiveLimit"),
    CONSECUTIVE_ERROR_LIMIT("consecutiveErrorLimit"),
    CONSECUTIVE_SUCCESS_LIMIT("consecutiveSuccessLimit"),
    COUNT("count"),
    /** The run was stopped while the metric was still measuring. */
    STOPPED("stopped");

    private final String field;

    Rule(String field) {
      this.field = field;
    }

    /** The template field that decided, as users write it. */
    public String field() {
      return field;
    }
  }

  /** A metric's phase, the rule that decided it, and the numbers that made it so. */
  public record Decision(MetricPhase phase, Rule rule, String explanation) {}

  public MetricTally add(MeasurementPhase phase) {
    return switch (phase) {
      case SUCCESSFUL ->
          new MetricTally(
              counted + 1,
              successful + 1,
              failed,
              inconclusive,
              errors,
              0,
              consecutiveSuccesses + 1);
      case FAILED ->
          new MetricTally(counted + 1, successful, failed + 1, inconclusive, errors, 0, 0);
      case INCONCLUSIVE ->
          new MetricTally(counted + 1, successful, failed, inconclusive + 1, errors, 0, 0);
      case ERROR ->
          new MetricTally(
              counted, successful, failed, inconclusive, errors + 1, consecutiveErrors + 1, 0);
    };
  }

  /**
   * How many counted measurements end the metric: its count; one when it has neither count nor
   * interval; none (empty) when it has an interval and no count — then it measures until a limit
   * decides or the run is stopped.
   */
  public static OptionalInt effectiveCount(Metric metric) {
    if (metric.count().isPresent()) {
      return metric.count();
    }
    return metric.interval().isPresent() ? OptionalInt.empty() : OptionalInt.of(1);
  }

  public MetricPhase phase(Metric metric) {
    return decide(metric, false).phase();
  }

  /** Why {@link #phase} is what it is, with the numbers and the limit. */
  public String explain(Metric metric) {
    return decide(metric, false).explanation();
  }

  /**
   * The metric's phase and what decided it.
   *
   * @param stopped whether the run was stopped: a metric still running then ends
   */
  public Decision decide(Metric metric, boolean stopped) {
    if (metric.failureLimit() >= 0 && failed > metric.failureLimit()) {
      return new Decision(
          MetricPhase.FAILED,
          Rule.FAILURE_LIMIT,
          failed + " failed measurement(s) > failureLimit " + metric.failureLimit());
    }
    if (metric.inconclusiveLimit() >= 0 && inconclusive > metric.inconclusiveLimit()) {
      return new Decision(
          MetricPhase.INCONCLUSIVE,
          Rule.INCONCLUSIVE_LIMIT,
          inconclusive
              + " inconclusive measurement(s) > inconclusiveLimit "
              + metric.inconclusiveLimit());
    }
    if (consecutiveErrors > metric.consecutiveErrorLimit()) {
      return new Decision(
          MetricPhase.ERROR,
          Rule.CONSECUTIVE_ERROR_LIMIT,
          consecutiveErrors
              + " consecutive error(s) > consecutiveErrorLimit "
              + metric.consecutiveErrorLimit());
    }
    int successLimit = metric.consecutiveSuccessLimit();
    if (successLimit > 0 && consecutiveSuccesses >= successLimit) {
      return new Decision(
          MetricPhase.SUCCESSFUL,
          Rule.CONSECUTIVE_SUCCESS_LIMIT,
          consecutiveSuccesses
              + " consecutive successful measurement(s) reached consecutiveSuccessLimit "
              + successLimit);
    }
    OptionalInt count = effectiveCount(metric);
    if (count.isPresent() && counted >= count.getAsInt()) {
      if (successLimit > 0) {
        String why =
            "count "
                + count.getAsInt()
                + " reached without "
                + successLimit
                + " consecutive successful measurement(s) (consecutiveSuccessLimit)";
        return metric.failureLimit() >= 0
            ? new Decision(MetricPhase.INCONCLUSIVE, Rule.COUNT, why)
            : new Decision(MetricPhase.FAILED, Rule.COUNT, why + " and no failureLimit");
      }
      return successful > 0
          ? new Decision(
              MetricPhase.SUCCESSFUL,
              Rule.COUNT,
              counted + " of " + count.getAsInt() + " measurement(s) counted within limits")
          : new Decision(
              MetricPhase.INCONCLUSIVE,
              Rule.COUNT,
              counted + " counted measurement(s), none successful");
    }
    if (stopped) {
      return successful > 0
          ? new Decision(
              MetricPhase.SUCCESSFUL,
              Rule.STOPPED,
              "stopped after " + measured() + " within limits")
          : new Decision(
              MetricPhase.INCONCLUSIVE,
              Rule.STOPPED,
              "stopped after " + measured() + ", none successful");
    }
    return new Decision(
        MetricPhase.RUNNING,
        Rule.NONE,
        counted
            + (count.isPresent() ? " of " + count.getAsInt() : "")
            + " measurement(s) counted"
            + (errors > 0 ? ", " + errors + " error(s)" : "")
            + (count.isPresent() ? "" : "; measuring until a limit decides or the run is stopped"));
  }

  private String measured() {
    return counted + " counted measurement(s)" + (errors > 0 ? " and " + errors + " error(s)" : "");
  }
}
