package dev.ordinal.analysis.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.analysis.Measurement;
import dev.ordinal.analysis.MeasurementPhase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The numbers a chart draws beside the measured values, and the values it plots. */
class ThresholdsTest {
  static List<Condition.Threshold> of(String source) {
    return Condition.parse(source).thresholds();
  }

  @Test
  void comparisonsOfTheResultWithANumberAreThresholds() {
    assertEquals(List.of(new Condition.Threshold("<", 0.05)), of("result[0] < 0.05"));
    assertEquals(List.of(new Condition.Threshold("<=", 0.05)), of("0.05 >= result"));
    assertEquals(
        List.of(new Condition.Threshold(">=", 0), new Condition.Threshold("<", 250)),
        of("result[0] >= 0 && result[0] < 250"));
    assertEquals(List.of(new Condition.Threshold(">", -1)), of("result > -1"));
  }

  @Test
  void otherShapesHaveNone() {
    assertEquals(List.of(), of("all(result, {# < 0.05})"));
    assertEquals(List.of(), of("result[1] < 0.05"));
    assertEquals(List.of(), of("len(result) > 0"));
  }

  @Test
  void aBoundPlaceholderBecomesTheNumber() {
    Condition bound =
        Condition.parse("result[0] < {{args.limit}}").bind(Map.of("args.limit", "0.2"));
    assertEquals(List.of(new Condition.Threshold("<", 0.2)), bound.thresholds());
  }

  @Test
  void measurementsGiveTheirNumbersBack() {
    Instant t = Instant.EPOCH;
    assertEquals(
        List.of(0.012, Double.NaN, Double.POSITIVE_INFINITY),
        new Measurement(t, MeasurementPhase.INCONCLUSIVE, "[0.012, NaN, +Inf]", "").numbers());
    assertEquals(List.of(3.0), new Measurement(t, MeasurementPhase.SUCCESSFUL, "3", "").numbers());
    assertEquals(List.of(), new Measurement(t, MeasurementPhase.ERROR, "", "refused").numbers());
  }
}
