package dev.ordinal.analysis;

import dev.ordinal.analysis.condition.Condition;
import dev.ordinal.analysis.condition.ConditionEvaluationException;
import dev.ordinal.analysis.condition.MetricResult;
import java.util.Optional;

/**
 * Classifies one query result with a metric's conditions. Argo Rollouts' rules, with one deliberate
 * difference: missing data never passes.
 *
 * <ol>
 *   <li>The failureCondition, if any, is evaluated first; true → FAILED, on any data, so that a
 *       failureCondition such as {@code isNaN(result[0])} can fail on missing data on purpose.
 *   <li>If the result is empty (no series matched), contains NaN or ±Inf, or evaluating the
 *       successCondition read or computed a NaN/±Inf, the measurement is INCONCLUSIVE — never
 *       SUCCESSFUL, whatever the conditions say. A 0/0 error rate means "no traffic", not "no
 *       errors".
 *   <li>successCondition only: true → SUCCESSFUL, false → FAILED. failureCondition only: false →
 *       SUCCESSFUL. Both: success true → SUCCESSFUL, neither true → INCONCLUSIVE.
 *   <li>A condition that does not fit the data (index out of range, a list compared as a number) is
 *       an ERROR naming the condition — except that a failureCondition which cannot be evaluated on
 *       empty or non-finite data (e.g. {@code result[0]} of nothing) counts as "not true", so that
 *       data is INCONCLUSIVE by rule 2.
 * </ol>
 */
public final class MeasurementRules {
  private MeasurementRules() {}

  /** A classification and the sentence that explains it. */
  public record Classification(MeasurementPhase phase, String message) {}

  public static Classification classify(
      Optional<Condition> success, Optional<Condition> failure, MetricResult result) {
    try {
      boolean unusable = result.isEmpty() || result.hasNonFinite();
      if (failure.isPresent()) {
        Condition.Evaluation failed = null;
        try {
          failed = failure.get().evaluate(result);
        } catch (ConditionEvaluationException e) {
          // On an empty result result[0] is out of range: that is "no data" (inconclusive below),
          // not a broken condition. On usable data it is a real error.
          if (!unusable) {
            throw e;
          }
        }
        if (failed != null) {
          if (failed.value()) {
            return new Classification(
                MeasurementPhase.FAILED,
                "failureCondition '" + failure.get() + "' is true for result " + result);
          }
          unusable |= failed.sawNonFinite();
        }
      }
      if (unusable) {
        return new Classification(MeasurementPhase.INCONCLUSIVE, unusableReason(result));
      }
      if (success.isPresent()) {
        Condition.Evaluation passed = success.get().evaluate(result);
        if (passed.sawNonFinite()) {
          return new Classification(
              MeasurementPhase.INCONCLUSIVE,
              "successCondition '"
                  + success.get()
                  + "' computed NaN or Inf from result "
                  + result
                  + "; not trusted to pass");
        }
        if (passed.value()) {
          return new Classification(
              MeasurementPhase.SUCCESSFUL,
              "successCondition '" + success.get() + "' is true for result " + result);
        }
        if (failure.isPresent()) {
          return new Classification(
              MeasurementPhase.INCONCLUSIVE,
              "neither successCondition '"
                  + success.get()
                  + "' nor failureCondition '"
                  + failure.get()
                  + "' is true for result "
                  + result);
        }
        return new Classification(
            MeasurementPhase.FAILED,
            "successCondition '" + success.get() + "' is false for result " + result);
      }
      return new Classification(
          MeasurementPhase.SUCCESSFUL,
          "failureCondition '" + failure.orElseThrow() + "' is false for result " + result);
    } catch (ConditionEvaluationException e) {
      return new Classification(
          MeasurementPhase.ERROR, e.getMessage() + " (result " + result + ")");
    }
  }

  private static String unusableReason(MetricResult result) {
    if (result.isEmpty()) {
      return "the query returned no data (no series matched; e.g. no traffic yet); missing data never passes";
    }
    return "result "
        + result
        + " contains NaN or Inf (e.g. 0/0 with no traffic); missing data never passes";
  }
}
