package dev.ordinal.analysis;

import static dev.ordinal.analysis.MeasurementPhase.ERROR;
import static dev.ordinal.analysis.MeasurementPhase.FAILED;
import static dev.ordinal.analysis.MeasurementPhase.INCONCLUSIVE;
import static dev.ordinal.analysis.MeasurementPhase.SUCCESSFUL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.analysis.condition.Condition;
import dev.ordinal.analysis.condition.MetricResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MeasurementRulesTest {
  private static final MetricResult LOW = MetricResult.vector(List.of(0.01));
  private static final MetricResult HIGH = MetricResult.vector(List.of(0.2));
  private static final MetricResult MIDDLE = MetricResult.vector(List.of(0.07));
  private static final MetricResult EMPTY = MetricResult.vector(List.of());
  private static final MetricResult NAN = MetricResult.vector(List.of(Double.NaN));
  private static final MetricResult INF = MetricResult.vector(List.of(Double.POSITIVE_INFINITY));

  private static MeasurementPhase classify(String success, String failure, MetricResult result) {
    return MeasurementRules.classify(
            Optional.ofNullable(success).map(Condition::parse),
            Optional.ofNullable(failure).map(Condition::parse),
            result)
        .phase();
  }

  @Test
  void successConditionOnly() {
    assertEquals(SUCCESSFUL, classify("result[0] < 0.05", null, LOW));
    assertEquals(FAILED, classify("result[0] < 0.05", null, HIGH));
  }

  @Test
  void failureConditionOnly() {
    assertEquals(FAILED, classify(null, "result[0] > 0.05", HIGH));
    assertEquals(SUCCESSFUL, classify(null, "result[0] > 0.05", LOW));
  }

  @Test
  void bothConditions() {
    assertEquals(SUCCESSFUL, classify("result[0] < 0.05", "result[0] > 0.1", LOW));
    assertEquals(FAILED, classify("result[0] < 0.05", "result[0] > 0.1", HIGH));
    assertEquals(INCONCLUSIVE, classify("result[0] < 0.05", "result[0] > 0.1", MIDDLE));
    // failure wins when both hold
    assertEquals(FAILED, classify("result[0] > 0", "result[0] > 0", LOW));
  }

  @Test
  void emptyResultIsNeverSuccessful() {
    assertEquals(INCONCLUSIVE, classify("result[0] < 0.05", null, EMPTY));
    assertEquals(INCONCLUSIVE, classify("all(result, {# < 0.05})", null, EMPTY));
    assertEquals(INCONCLUSIVE, classify("len(result) == 0", null, EMPTY));
    assertEquals(INCONCLUSIVE, classify(null, "result[0] > 0.05", EMPTY));
    assertEquals(INCONCLUSIVE, classify(null, "any(result, {# > 0.05})", EMPTY));
    assertEquals(INCONCLUSIVE, classify("result[0] < 0.05", "result[0] > 0.1", EMPTY));
  }

  @Test
  void nanAndInfinityAreNeverSuccessful() {
    for (MetricResult bad :
        List.of(
            NAN,
            INF,
            MetricResult.scalar(Double.NaN),
            MetricResult.vector(List.of(0.01, Double.NaN)))) {
      assertEquals(INCONCLUSIVE, classify("result[0] < 0.05", null, bad), bad.toString());
      assertEquals(INCONCLUSIVE, classify("not (result[0] >= 0.05)", null, bad), bad.toString());
      assertEquals(INCONCLUSIVE, classify("true", null, bad), bad.toString());
      assertEquals(INCONCLUSIVE, classify(null, "result[0] > 0.05 and false", bad), bad.toString());
    }
  }

  @Test
  void failureConditionMayFailOnMissingDataOnPurpose() {
    assertEquals(FAILED, classify("result[0] < 0.05", "isNaN(result[0])", NAN));
    assertEquals(FAILED, classify(null, "len(result) == 0", EMPTY));
    assertEquals(FAILED, classify(null, "len(result) == 0 or result[0] > 1", EMPTY));
    assertEquals(INCONCLUSIVE, classify(null, "result[0] > 1 or len(result) == 0", EMPTY));
    assertEquals(FAILED, classify(null, "result[0] > 1", INF));
  }

  @Test
  void nonFiniteComputedBySuccessConditionIsInconclusive() {
    MeasurementRules.Classification zeroOverZero =
        MeasurementRules.classify(
            Optional.of(Condition.parse("result[0] / result[1] < 0.05")),
            Optional.empty(),
            MetricResult.vector(List.of(0.0, 0.0)));
    assertEquals(INCONCLUSIVE, zeroOverZero.phase());
    assertEquals(
        "successCondition 'result[0] / result[1] < 0.05' computed NaN or Inf from result [0, 0]; not trusted to pass",
        zeroOverZero.message());
  }

  @Test
  void conditionThatDoesNotFitTheDataIsAnError() {
    MeasurementRules.Classification classification =
        MeasurementRules.classify(
            Optional.of(Condition.parse("result[3] < 1")), Optional.empty(), LOW);
    assertEquals(ERROR, classification.phase());
    assertEquals(
        "condition 'result[3] < 1': index 3 at column 7 is out of range; the result has 1 value (result [0.01])",
        classification.message());
  }

  @Test
  void messagesNameConditionAndValues() {
    assertEquals(
        "successCondition 'result[0] < 0.05' is false for result [0.2]",
        MeasurementRules.classify(
                Optional.of(Condition.parse("result[0] < 0.05")), Optional.empty(), HIGH)
            .message());
    assertEquals(
        "the query returned no data (no series matched; e.g. no traffic yet); missing data never passes",
        MeasurementRules.classify(
                Optional.of(Condition.parse("result[0] < 0.05")), Optional.empty(), EMPTY)
            .message());
  }

  /**
   * utils/evaluate/evaluate_test.go TestEvaluateResult* and metricproviders/prometheus
   * prometheus_test.go TestProcess*Response: how the two conditions combine, and where Ordinal
   * deliberately differs on missing data.
   */
  @Nested
  class ArgoEvaluateResult {
    private final MetricResult any = MetricResult.scalar(1);

    @Test
    void testEvaluateResultWithSuccessFailureAndInconclusive() {
      assertEquals(SUCCESSFUL, classify("true", "false", any));
      assertEquals(FAILED, classify("true", "true", any));
      assertEquals(INCONCLUSIVE, classify("false", "false", any));
    }

    @Test
    void testEvaluateResultWithOnlyOneCondition() {
      assertEquals(SUCCESSFUL, classify(null, "false", any));
      assertEquals(FAILED, classify("false", null, any));
    }

    @Test
    void testProcessScalarAndVectorResponse() {
      assertEquals(SUCCESSFUL, classify("result == 10", "result != 10", MetricResult.scalar(10)));
      assertEquals(
          SUCCESSFUL,
          classify("10 in result", "len(result) != 2", MetricResult.vector(List.of(10.0, 11.0))));
    }

    @Test
    void testProcessNaNResponse() {
      MetricResult nan = MetricResult.scalar(Double.NaN);
      // "inconclusive": the same in Argo
      assertEquals(INCONCLUSIVE, classify("result >= 0.9", "result < 0.9", nan));
      // "success": Argo passes `result >= 0.9 || isNaN(result)`; Ordinal refuses it at load time
      // and never passes NaN at run time
      assertEquals(INCONCLUSIVE, classify("result >= 0.9 || isNaN(result)", null, nan));
      // "failure": Argo fails a success-only condition on NaN; Ordinal calls it inconclusive
      assertEquals(INCONCLUSIVE, classify("result >= 0.9", null, nan));
    }

    @Test
    void testProcessInfResponse() {
      MetricResult inf = MetricResult.scalar(Double.POSITIVE_INFINITY);
      // Argo: Successful; Ordinal: an infinity is not data to pass on
      assertEquals(INCONCLUSIVE, classify("result >= 0.9", null, inf));
      assertEquals(FAILED, classify(null, "isInf(result)", inf));
    }

    @Test
    void testEvaluateResultErrorMessageWithNilResultOrEmptySlice() {
      // Argo: Error, "metric result is nil or empty"; Ordinal: no data is inconclusive
      MeasurementRules.Classification empty =
          MeasurementRules.classify(
              Optional.of(Condition.parse("result[0] >= 0.95")), Optional.empty(), EMPTY);
      assertEquals(INCONCLUSIVE, empty.phase());
      assertEquals(
          "the query returned no data (no series matched; e.g. no traffic yet); missing data never"
              + " passes",
          empty.message());
    }

    @Test
    void testRunSuccessfullyWithRangeQuery() {
      MetricResult matrix = MetricResult.matrix(List.of(List.of(11.0, 12.0), List.of(13.0, 14.0)));
      assertEquals(SUCCESSFUL, classify("all(result, # > 10)", "all(result, # < 10)", matrix));
      MetricResult gap = MetricResult.matrix(List.of(List.of(11.0, Double.NaN)));
      assertEquals(INCONCLUSIVE, classify("all(result, # > 10)", null, gap));
    }
  }
}
