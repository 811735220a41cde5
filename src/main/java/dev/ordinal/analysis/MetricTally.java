package dev.ordinal.analysis;

import dev.ordinal.manifest.AnalysisTemplate.Metric;

/**
 * Counts of a metric's measurements so far, and the metric phase they add up to.
 *
 * <p>Rules (Argo Rollouts' limits): FAILED when failed &gt; failureLimit; INCONCLUSIVE when
 * inconclusive &gt; inconclusiveLimit; ERROR when consecutiveErrors &gt; consecutiveErrorLimit (a
 * non-error measurement resets the streak). Otherwise the metric is SUCCESSFUL once {@code count}
 * measurements were counted — one without a count — provided at least one of them was SUCCESSFUL; a
 * metric that reached its count on tolerated inconclusives alone is INCONCLUSIVE, because missing
 * data never passes.
 *
 * <p>As in Argo, an ERROR measurement does not count towards {@code count}: it is retried, and only
 * the consecutive-error limit ends a metric that cannot measure.
 *
 * @param counted measurements that count towards {@code count}: all but errors
 */
public record MetricTally(
    int counted, int successful, int failed, int inconclusive, int errors, int consecutiveErrors) {

  public static final MetricTally EMPTY = new MetricTally(0, 0, 0, 0, 0, 0);

  public MetricTally add(MeasurementPhase phase) {
    switch (phase) {
      case SUCCESSFUL:
        return new MetricTally(counted + 1, successful + 1, failed, inconclusive, errors, 0);
      case FAILED:
        return new MetricTally(counted + 1, successful, failed + 1, inconclusive, errors, 0);
      case INCONCLUSIVE:
        return new MetricTally(counted + 1, successful, failed, inconclusive + 1, errors, 0);
      default:
        return new MetricTally(
            counted, successful, failed, inconclusive, errors + 1, consecutiveErrors + 1);
    }
  }

  /** How many measurements the metric takes: its count, or one. */
  public static int planned(Metric metric) {
    return metric.count().orElse(1);
  }

  public MetricPhase phase(Metric metric) {
    if (failed > metric.failureLimit()) {
      return MetricPhase.FAILED;
    }
    if (inconclusive > metric.inconclusiveLimit()) {
      return MetricPhase.INCONCLUSIVE;
    }
    if (consecutiveErrors > metric.consecutiveErrorLimit()) {
      return MetricPhase.ERROR;
    }
    if (counted >= planned(metric)) {
      return successful > 0 ? MetricPhase.SUCCESSFUL : MetricPhase.INCONCLUSIVE;
    }
    return MetricPhase.RUNNING;
  }

  /** Why {@link #phase} is what it is, with the numbers and the limit. */
  public String explain(Metric metric) {
    switch (phase(metric)) {
      case FAILED:
        return failed + " failed measurement(s) > failureLimit " + metric.failureLimit();
      case INCONCLUSIVE:
        return inconclusive > metric.inconclusiveLimit()
            ? inconclusive
                + " inconclusive measurement(s) > inconclusiveLimit "
                + metric.inconclusiveLimit()
            : counted + " counted measurement(s), none successful";
      case ERROR:
        return consecutiveErrors
            + " consecutive error(s) > consecutiveErrorLimit "
            + metric.consecutiveErrorLimit();
      case SUCCESSFUL:
        return counted + " of " + planned(metric) + " measurement(s) counted within limits";
      default:
        return counted
            + " of "
            + planned(metric)
            + " measurement(s) counted"
            + (errors > 0 ? ", " + errors + " error(s)" : "");
    }
  }
}
