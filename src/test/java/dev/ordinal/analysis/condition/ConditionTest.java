package dev.ordinal.analysis.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionTest {
  private static boolean eval(String condition, MetricResult result) {
    return Condition.parse(condition).evaluate(result).value();
  }

  private static MetricResult vector(Double... values) {
    return MetricResult.vector(List.of(values));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "result[0] < 0.05 ; true",
        "result[0] > 0.05 ; false",
        "result[0] <= 0.01 ; true",
        "result[0] >= 0.01 ; true",
        "result[0] == 0.01 ; true",
        "result[0] != 0.01 ; false",
        "result < 0.05 ; true",
        "result[1] * 2 + 1 == 5 ; true",
        "(result[1] - 1) / 2 == 0.5 ; true",
        "-result[0] < 0 ; true",
        "- - result[0] > 0 ; true",
        "1 + 2 * 3 == 7 ; true",
        "(1 + 2) * 3 == 9 ; true",
        "8 / 2 / 2 == 2 ; true",
        "10 - 2 - 3 == 5 ; true",
        "1e-3 < 0.01 ; true",
        "2.5E2 == 250 ; true",
        ".5 == 0.5 ; true",
        "true ; true",
        "not false ; true",
        "!false ; true",
        "!(result[0] > 1) ; true",
        "true and false ; false",
        "true && true ; true",
        "false or true ; true",
        "false || false ; false",
        "not true or true ; true",
        "true or false and false ; true",
        "(true or false) and false ; false",
        "len(result) == 2 ; true",
        "all(result, {# < 3}) ; true",
        "all(result, {# < 2}) ; false",
        "any(result, {# > 1}) ; true",
        "any(result, {# > 5}) ; false",
        "any(result, {# == 0.01 or # > 100}) ; true",
        "isNaN(result[0]) ; false",
        "isInf(result[0]) ; false",
      })
  void evaluatesOverAVector(String condition, boolean expected) {
    MetricResult result = condition.equals("result < 0.05") ? vector(0.01) : vector(0.01, 2.0);
    assertEquals(expected, eval(condition, result), condition);
  }

  @Test
  void scalarIsANumberAndIndexableAtZero() {
    assertTrue(eval("result < 1", MetricResult.scalar(0.5)));
    assertTrue(eval("result[0] < 1", MetricResult.scalar(0.5)));
    assertTrue(eval("len(result) == 1", MetricResult.scalar(0.5)));
  }

  @Test
  void everyComparisonWithNaNIsFalseIncludingNotEquals() {
    MetricResult nan = vector(Double.NaN);
    for (String op : List.of("<", "<=", ">", ">=", "==", "!=")) {
      Condition.Evaluation evaluation = Condition.parse("result[0] " + op + " 1").evaluate(nan);
      assertFalse(evaluation.value(), op);
      assertTrue(evaluation.sawNonFinite(), op);
    }
    assertTrue(eval("isNaN(result[0])", nan));
  }

  @Test
  void infinityIsComparableButNoted() {
    Condition.Evaluation evaluation =
        Condition.parse("result[0] > 1").evaluate(vector(Double.POSITIVE_INFINITY));
    assertTrue(evaluation.value());
    assertTrue(evaluation.sawNonFinite());
    assertTrue(eval("isInf(result[0])", vector(Double.NEGATIVE_INFINITY)));
  }

  @Test
  void divisionByZeroIsNotedAsNonFinite() {
    Condition.Evaluation evaluation =
        Condition.parse("result[0] / result[1] < 0.05").evaluate(vector(0.0, 0.0));
    assertFalse(evaluation.value());
    assertTrue(evaluation.sawNonFinite());
    assertFalse(Condition.parse("result[0] < 0.05").evaluate(vector(0.0, 0.0)).sawNonFinite());
  }

  @Test
  void allOverNothingIsVacuouslyTrue() {
    // Callers never evaluate on empty data (see MeasurementRules); documented here so nobody relies
    // on it.
    assertTrue(eval("all(result, {# < 1})", vector()));
    assertFalse(eval("any(result, {# < 1})", vector()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "result[0] > | expected an operand after '>' at column 12",
        "result[0] < 1 ) | unexpected ')' after a complete condition at column 15",
        "(result[0] < 1 | expected ')' but found end of condition at column 15",
        "result[0 < 1 | expected ']' but found end of condition at column 13",
        "reslt[0] < 1 | unknown name 'reslt' (known: result, len, all, any, isNaN, isInf, and, or, not, true, false) at column 1",
        "result[0] = 1 | unexpected character '=' (use '==' to compare) at column 11",
        "result[0] < 1 & true | unexpected character '&' (use '&&' or 'and') at column 15",
        "1 < result[0] < 2 | comparisons do not chain; join them with 'and' at column 15",
        "# < 1 | '#' is only defined inside all(...) or any(...) predicates at column 1",
        "all(result # < 1) | expected ',' and a predicate such as {# < 1} but found '#' at column 12",
        "all(result, # < 1) | expected '{' to start the predicate but found '#' at column 13",
        "len(result, 2) | len() takes one argument at column 11",
        "result[0] < 1.2.3 | malformed number '1.2.3' at column 13",
        "result[0] < 1 and | expected an operand after 'and' at column 18",
        "$ > 1 | unexpected character '$' at column 1",
        "1 + | expected an operand after '+' at column 4",
        "not | expected an operand after 'not' at column 4",
      })
  void syntaxErrorsNameTheProblemAndColumn(String condition, String message) {
    ConditionException error =
        assertThrows(ConditionException.class, () -> Condition.parse(condition));
    assertEquals(message, error.getMessage());
  }

  @Test
  void blankIsRejectedWithoutAColumn() {
    assertEquals(
        "must not be blank",
        assertThrows(ConditionException.class, () -> Condition.parse("  ")).getMessage());
  }

  @Test
  void grammarIsTheLoaderSyntaxCheck() {
    assertEquals(Optional.empty(), ConditionGrammar.INSTANCE.check("result[0] < 0.05"));
    assertEquals(
        Optional.of("expected an operand after '>' at column 12"),
        ConditionGrammar.INSTANCE.check("result[0] >"));
  }

  @Test
  void evaluationErrorsNameConditionColumnAndValues() {
    ConditionEvaluationException outOfRange =
        assertThrows(
            ConditionEvaluationException.class, () -> eval("result[2] < 1", vector(0.1, 0.2)));
    assertEquals(
        "condition 'result[2] < 1': index 2 at column 7 is out of range; the result has 2 values",
        outOfRange.getMessage());
    ConditionEvaluationException list =
        assertThrows(
            ConditionEvaluationException.class, () -> eval("result < 1", vector(0.1, 0.2)));
    assertEquals(
        "condition 'result < 1': '<' at column 1 needs a number but got a list [0.1, 0.2];"
            + " use result[i], all(result, {...}) or any(result, {...})",
        list.getMessage());
    ConditionEvaluationException notBoolean =
        assertThrows(ConditionEvaluationException.class, () -> eval("result[0] + 1", vector(0.1)));
    assertEquals("condition 'result[0] + 1' gives 1.1, not true or false", notBoolean.getMessage());
    ConditionEvaluationException andNumber =
        assertThrows(ConditionEvaluationException.class, () -> eval("true and 2", vector(0.1)));
    assertEquals(
        "condition 'true and 2': 'and' at column 10 needs true or false but got 2",
        andNumber.getMessage());
    assertThrows(ConditionEvaluationException.class, () -> eval("result[0.5] < 1", vector(0.1)));
    assertThrows(ConditionEvaluationException.class, () -> eval("result[-1] < 1", vector(0.1)));
  }

  @Test
  void formatsNumbersForPeople() {
    assertEquals("0.05", Condition.format(0.05));
    assertEquals("3", Condition.format(3));
    assertEquals("NaN", Condition.format(Double.NaN));
    assertEquals("+Inf", Condition.format(Double.POSITIVE_INFINITY));
    assertEquals("-Inf", Condition.format(Double.NEGATIVE_INFINITY));
    assertEquals("[0.012, NaN]", MetricResult.vector(List.of(0.012, Double.NaN)).toString());
  }
}
