package dev.ordinal.analysis;

import dev.ordinal.manifest.AnalysisTemplate.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * How a metric measures and when it stops, as {@code ordinal status} shows it. Kept with the run
 * record, so the status of a run shows the limits it was measured under.
 *
 * @param count null without a count
 * @param intervalMillis null without an interval
 * @param failureLimit -1 for no limit
 * @param inconclusiveLimit -1 for no limit
 * @param consecutiveSuccessLimit 0 when not used
 */
public record Limits(
    Integer count,
    Long intervalMillis,
    int failureLimit,
    int inconclusiveLimit,
    int consecutiveErrorLimit,
    int consecutiveSuccessLimit) {

  public static Limits of(Metric metric) {
    return new Limits(
        metric.count().isPresent() ? metric.count().getAsInt() : null,
        metric.interval().map(interval -> interval.toMillis()).orElse(null),
        metric.failureLimit(),
        metric.inconclusiveLimit(),
        metric.consecutiveErrorLimit(),
        metric.consecutiveSuccessLimit());
  }

  /** E.g. "count 5 every 30s; failureLimit 1, inconclusiveLimit none, consecutiveErrorLimit 4". */
  public String describe() {
    String every = intervalMillis == null ? "" : "every " + duration(intervalMillis);
    String plan;
    if (count != null) {
      plan = "count " + count + (every.isEmpty() ? "" : " " + every);
    } else {
      plan = every.isEmpty() ? "once" : every + " until a limit decides";
    }
    List<String> limits = new ArrayList<>();
    limits.add("failureLimit " + (failureLimit < 0 ? "none" : failureLimit));
    limits.add("inconclusiveLimit " + (inconclusiveLimit < 0 ? "none" : inconclusiveLimit));
    limits.add("consecutiveErrorLimit " + consecutiveErrorLimit);
    if (consecutiveSuccessLimit > 0) {
      limits.add("consecutiveSuccessLimit " + consecutiveSuccessLimit);
    }
    return plan + "; " + String.join(", ", limits);
  }

  private static String duration(long millis) {
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
