package dev.ordinal.analysis.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The expression language against vectors derived from expr-lang's own tests and docs (expr_test.go
 * TestExpr, builtin/builtin_test.go TestBuiltin and TestBuiltin_errors,
 * docs/language-definition.md) and from Argo Rollouts' utils/evaluate/evaluate_test.go and
 * metricproviders/prometheus tests. Each vector names the upstream test it mirrors.
 */
class ConditionTest {

  /** Evaluates any expression over {@code result}, as the condition evaluator does. */
  static Value value(String expression, Object result) {
    Expr expr = Parser.parse(expression, "expression", Set.of("result"), Functions.CONDITION);
    return new Evaluator("'" + expression + "'", Map.of("result", Value.of(result)), null)
        .eval(expr);
  }

  private static boolean eval(String condition, MetricResult result) {
    return Condition.parse(condition).evaluate(result).value();
  }

  private static MetricResult vector(Double... values) {
    return MetricResult.vector(List.of(values));
  }

  private static Arguments vector(String upstream, String expression, Object expected) {
    return Arguments.of(upstream, expression, Value.of(expected));
  }

  /** expr-lang's semantics, value for value. */
  @Nested
  class ExprLanguage {
    static Stream<Arguments> vectors() {
      String expr = "expr_test.go TestExpr";
      String builtin = "builtin_test.go TestBuiltin";
      String docs = "language-definition.md";
      return Stream.of(
          vector(expr, "1", 1),
          vector(expr, "-.5", -0.5),
          vector(expr, "true && false || false", false),
          vector(expr, "\"a\" != \"b\"", true),
          vector(expr, "\"a\" != \"b\" || 1 == 2", true),
          vector(expr, "2 + 2 == 4", true),
          vector(expr, "8 % 3", 2),
          vector(expr, "2 ** 8", 256.0),
          vector(expr, "2 ^ 8", 256.0),
          vector(expr, "-(2-5)**3-2/(+4-3)+-2", 23.0),
          vector(expr, "\"hello\" + \" \" + \"world\"", "hello world"),
          vector(expr, "0 in -1..1 and 1 in 1..1", true),
          vector(expr, "1 in [1, 2, 3] && \"foo\" in {foo: 0, bar: 1}", true),
          vector(expr, "1 in [1.5] || 1 not in [1]", false),
          vector(expr, "-1 not in [1]", true),
          vector(expr, "\"string\" matches \"s.+\"", true),
          vector(expr, "'foo' + 'bar' not matches 'foobar'", false),
          vector(expr, "\"foobar\" contains \"bar\"", true),
          vector(expr, "\"foobar\" startsWith \"foo\"", true),
          vector(expr, "\"foobar\" endsWith \"bar\"", true),
          vector(expr, "(0..10)[5]", 5),
          vector(expr, "len([1, 2, 3])", 3),
          vector(expr, "len([\"hello\", \"world\"])", 2),
          vector(expr, "len(\"hello, world\")", 12),
          vector(expr, "len('北京')", 2),
          vector(expr, "len({a: 1, b: 2, c: 2})", 3),
          vector(expr, "max([1, 2, 3])", 3),
          vector(expr, "max(1, 2, 3)", 3),
          vector(expr, "min([1, 2, 3])", 1),
          vector(expr, "min(1, 2, 3)", 1),
          vector(expr, "{foo: 0, bar: 1}", new LinkedHashMap<>(Map.of("foo", 0, "bar", 1))),
          vector(expr, "(true ? 0+1 : 2+3) + (false ? -1 : -2)", -1),
          vector(expr, "filter(1..9, {# > 7})", List.of(8, 9)),
          vector(expr, "map(1..3, {# * #})", List.of(1, 4, 9)),
          vector(expr, "all(1..3, {# > 0})", true),
          vector(expr, "count(1..30, {# % 3 == 0})", 10),
          vector(expr, "count([true, true, false])", 2),
          vector(expr, "\"a\" < \"b\"", true),
          vector(expr, "[1, 2, 3, 4, 5][1]", 2),
          vector(expr, "[1, 2, 3, 4, 5][-1]", 5),
          vector(expr, "[1, 2, 3, 4, 5][1:2]", List.of(2)),
          vector(expr, "[1, 2, 3, 4, 5][1:4]", List.of(2, 3, 4)),
          vector(expr, "[1, 2, 3, 4, 5][-4:-1]", List.of(2, 3, 4)),
          vector(expr, "[1, 2, 3, 4, 5][:3]", List.of(1, 2, 3)),
          vector(expr, "[1, 2, 3, 4, 5][3:]", List.of(4, 5)),
          vector(expr, "[1, 2, 3, 4, 5][0:5] == [1, 2, 3, 4, 5]", true),
          vector(expr, "[1, 2, 3, 4, 5][:] == [1, 2, 3, 4, 5]", true),
          vector(expr, "4 in 5..1", false),
          vector(expr, "4..0", List.of()),
          vector(expr, "nil == nil", true),
          vector(expr, "0 == nil || \"str\" == nil || true == nil", false),
          vector(expr, "\"string\"[:3]", "str"),
          vector(builtin, "abs(-5)", 5),
          vector(builtin, "abs(.5)", 0.5),
          vector(builtin, "abs(-.5)", 0.5),
          vector(builtin, "max(1.5, 2.5, 3.5)", 3.5),
          vector(builtin, "max([1.5, 2.5, 3.5])", 3.5),
          vector(builtin, "max([1, 2, 4, 10], 20, [29, 23, -19])", 29),
          vector(builtin, "min([1, 2, 4, 10], 20, [29, 23, -19])", -19),
          vector(builtin, "min(-1, [1.5, 2.5, 3.5])", -1),
          vector(builtin, "max([], 5)", 5),
          vector(builtin, "sum(1..9)", 45),
          vector(builtin, "sum([.5, 1.5, 2.5])", 4.5),
          vector(builtin, "sum([])", 0),
          vector(builtin, "sum([1, 2, 3.0, 4])", 10.0),
          vector(builtin, "mean(1..9)", 5.0),
          vector(builtin, "mean([.5, 1.5, 2.5])", 1.5),
          vector(builtin, "mean([])", 0.0),
          vector(builtin, "first([])", null),
          vector(builtin, "last([])", null),
          vector(builtin, "first([1, 2, 3])", 1),
          vector(builtin, "last([1, 2, 3])", 3),
          vector(docs, "ceil(1.5)", 2.0),
          vector(docs, "floor(1.5)", 1.0),
          vector(docs, "round(1.5)", 2.0),
          vector(docs, "int(\"123\")", 123),
          vector(docs, "float(\"123.45\")", 123.45),
          vector(docs, "filter(0..9, {# % 2 == 0})", List.of(0, 2, 4, 6, 8)),
          vector(docs, "filter(0..9, # % 2 == 0)", List.of(0, 2, 4, 6, 8)),
          vector(docs, "all([1, 2], # > 0)", true),
          vector(docs, "any([], {# > 0})", false),
          vector(docs, "all([], {# > 0})", true),
          vector(docs, "none([1, 2], {# > 2})", true),
          vector(docs, "one([1, 2], {# > 1})", true),
          vector(docs, "one([2, 3], {# > 1})", false),
          vector(docs, "sum([{n: 1}, {n: 2}], .n)", 3),
          vector(docs, "map([{n: 1}, {n: 2}], {#.n * 10})", List.of(10, 20)),
          vector(docs, "map([5, 6], #index)", List.of(0, 1)),
          vector(docs, "[1, 2, 3, 4, 5][1:-1]", List.of(2, 3, 4)),
          vector(docs, "{name: \"John\", age: 30}.name", "John"),
          vector(docs, "{name: \"John\"}[\"name\"]", "John"),
          vector(docs, "\"name\" in {name: \"John\", age: 30}", true),
          vector(docs, "{user: nil}.user?.name", null),
          vector(docs, "{user: nil}.user?.name ?? \"Anonymous\"", "Anonymous"),
          vector(docs, "nil ?? 5", 5),
          vector(docs, "1..3 == [1, 2, 3]", true),
          vector(docs, "1 < 2 < 3", true),
          vector(docs, "3 > 2 > 2", false),
          vector(docs, "7 / 2", 3.5),
          vector(docs, "1 == 1.0", true),
          vector(docs, "false ?: true", true));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("vectors")
    void evaluatesAsExprDoes(String upstream, String expression, Value expected) {
      assertEquals(expected, value(expression, null), expression);
    }

    @ParameterizedTest(name = "builtin_test.go TestBuiltin_errors: {0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "len(1) | len() needs an array, a map or a string but got int 1",
          "abs(\"foo\") | abs() needs a number but got string \"foo\"",
          "max(1, \"2\") | max() needs numbers but got string \"2\"",
          "max([1, \"2\"]) | max() needs numbers but got string \"2\"",
          "min([1, \"2\"]) | min() needs numbers but got string \"2\"",
          "8 % 0 | integer divide by zero",
          "8.5 % 2 | '%' needs two ints but got float 8.5 and int 2",
          "[1][1] | index 1 at column 4 is out of range; the array has 1 value",
          "nil.a | cannot read 'a' from nil",
          "1 in \"abc\" | 'in' needs an array or a map but got string \"abc\" (for text use 'contains')",
          "int(\"1.1\") | int(): \"1.1\" is not an integer",
          "float(\"x\") | float(): \"x\" is not a number",
        })
    void runtimeErrorsSayWhatIsWrong(String expression, String problem) {
      ConditionEvaluationException error =
          assertThrows(ConditionEvaluationException.class, () -> value(expression, null));
      assertTrue(error.getMessage().contains(problem), error.getMessage());
    }

    @ParameterizedTest(name = "builtin_test.go TestBuiltin_errors: {0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "len() | len() takes 1 argument, got 0 at column 5",
          "abs(1, 2) | abs() takes 1 argument, got 2 at column 1",
          "max() | max() takes at least 1 argument, got 0 at column 5",
          "all(result) | all() takes 2 arguments, got 1 (such as all(result, {# > 1})) at column 11",
        })
    void arityIsCheckedWhenParsed(String expression, String message) {
      assertEquals(
          message,
          assertThrows(ConditionException.class, () -> Condition.parse(expression)).getMessage());
    }
  }

  /** utils/evaluate/evaluate_test.go: what Argo's EvalCondition does with any result. */
  @Nested
  class ArgoEvalCondition {
    private boolean holds(Object result, String condition) {
      return Condition.parse(condition).evaluate(Value.of(result)).value();
    }

    @Test
    void testEvaluateConditionWithSuccessAndFailure() {
      assertTrue(holds(true, "result == true"));
      assertFalse(holds(true, "result == false"));
    }

    @Test
    void testErrorWithNonBoolReturn() {
      assertEquals(
          "condition '1' gives int 1, not true or false",
          assertThrows(ConditionEvaluationException.class, () -> holds(true, "1")).getMessage());
    }

    @Test
    void testErrorWithInvalidReferenceFailsWhenParsed() {
      assertEquals(
          "unknown name 'invalidVariable' (known: result, true, false, nil) at column 1",
          assertThrows(ConditionException.class, () -> Condition.parse("invalidVariable"))
              .getMessage());
    }

    @Test
    void testEvaluateArray() {
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("values", List.of(2.0, 2.0));
      Map<String, Object> apdex = new LinkedHashMap<>();
      apdex.put("label", null);
      apdex.put("values", values);
      assertTrue(
          holds(
              Map.of("service_apdex", apdex), "all(result.service_apdex.values.values, {# > 1})"));
    }

    @Test
    void testEvaluateInOperator() {
      assertTrue(holds(List.of(2.0, 2.0), "2 in result"));
    }

    @Test
    void testEvaluateFloat64() {
      assertTrue(holds(5.0, "result > 1"));
    }

    @Test
    void testEvaluateInvalidStructFailsWhenParsed() {
      assertEquals(
          "'Name()': values have no methods; call functions such as len(x) at column 8",
          assertThrows(ConditionException.class, () -> Condition.parse("result.Name() == 'hi'"))
              .getMessage());
    }

    @Test
    void testEvaluateAsIntPanic() {
      assertThrows(ConditionEvaluationException.class, () -> holds("1.1", "asInt(result) == 1.1"));
    }

    @ParameterizedTest(name = "TestEvaluateAsInt: {0} -> {1}")
    @MethodSource("dev.ordinal.analysis.condition.ConditionTest#asIntInputs")
    void testEvaluateAsInt(Object input, String condition) {
      assertTrue(holds(input, condition));
    }

    @Test
    void testEvaluateAsFloatError() {
      ConditionEvaluationException notANumber =
          assertThrows(
              ConditionEvaluationException.class, () -> holds("NotANum", "asFloat(result) == 1.1"));
      assertTrue(notANumber.getMessage().contains("\"NotANum\" is not a number"));
      ConditionEvaluationException mismatched =
          assertThrows(
              ConditionEvaluationException.class, () -> holds("1.1", "asFloat(result) == \"1.1\""));
      assertTrue(
          mismatched.getMessage().contains("'==' compares float with string"),
          mismatched.getMessage());
    }

    @ParameterizedTest(name = "TestEvaluateAsFloat: {0} {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "1.1 | asFloat(result) == 1.1",
          "1.1 | asFloat(result) >= 1.1",
          "1.1 | asFloat(result) <= 1.1",
        })
    void testEvaluateAsFloatFromText(String input, String condition) {
      assertTrue(holds(input, condition));
    }

    @Test
    void testEvaluateAsFloatFromNumbers() {
      assertTrue(holds(1.1, "asFloat(result) == 1.1"));
      assertTrue(holds(1, "asFloat(result) == 1"));
      assertTrue(holds(1, "asFloat(result) >= 1"));
    }

    @Test
    void testAsIntAndTestAsFloat() {
      assertEquals(Value.of(1), value("asInt(\"1\")", null));
      assertThrows(ConditionEvaluationException.class, () -> value("asInt(\"notint\")", null));
      assertThrows(ConditionEvaluationException.class, () -> value("asInt(\"1.1\")", null));
      assertEquals(Value.of(1.0), value("asFloat(\"1\")", null));
      assertEquals(Value.of(1.1), value("asFloat(\"1.1\")", null));
      assertThrows(ConditionEvaluationException.class, () -> value("asFloat(\"notfloat\")", null));
    }

    @Test
    void testIsInf() {
      assertTrue(holds(Double.POSITIVE_INFINITY, "isInf(result)"));
      assertFalse(holds(0.0, "isInf(result)"));
    }

    @Test
    void testDefaultFunc() {
      assertTrue(holds(null, "default(result, 0) == 0"));
      assertTrue(holds(null, "default(result, 1) == 1"));
      assertTrue(holds(null, "default(result, 2) == 2"));
      assertTrue(holds(1.0, "default(result, 0) == 1"));
    }

    @Test
    void testIsNilFunc() {
      assertTrue(holds(null, "isNil(result)"));
      assertFalse(holds(1.0, "isNil(result)"));
      assertFalse(holds(List.of("hi", "hello"), "isNil(result)"));
      assertFalse(holds(1, "isNil(result)"));
      assertFalse(holds(false, "isNil(result)"));
    }

    @Test
    void stringsBooleansAndNilCompareAsInExpr() {
      assertTrue(holds("ok", "result == 'ok'"));
      assertTrue(holds("ok", "result in ['ok', 'fine']"));
      assertTrue(holds(Map.of("status", "ok"), "result.status == \"ok\""));
      assertTrue(holds(Map.of("status", "ok"), "result.missing == nil"));
      assertTrue(holds(false, "result != true"));
    }
  }

  static Stream<Arguments> asIntInputs() {
    return Stream.of(
        Arguments.of("1", "asInt(result) == 1"),
        Arguments.of(1, "asInt(result) == 1"),
        Arguments.of(1.123, "asInt(result) == 1"));
  }

  /** What Argo's Prometheus provider hands a condition, and Ordinal's rules about NaN. */
  @Nested
  class PrometheusResults {
    @Test
    void testProcessScalarResponse() {
      assertTrue(eval("result == 10", MetricResult.scalar(10)));
      assertFalse(eval("result != 10", MetricResult.scalar(10)));
    }

    @Test
    void testProcessVectorResponse() {
      assertTrue(eval("10 in result", vector(10.0, 11.0)));
      assertFalse(eval("len(result) != 2", vector(10.0, 11.0)));
    }

    @Test
    void testRunSuccessfullyWithRangeQueryFlattensTheMatrix() {
      MetricResult matrix = MetricResult.matrix(List.of(List.of(11.0, 12.0), List.of(13.0, 14.0)));
      assertTrue(eval("all(result, # > 10)", matrix));
      assertFalse(eval("all(result, # < 10)", matrix));
      assertEquals("[11, 12, 13, 14]", matrix.toString());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
        delimiter = ';',
        value = {
          "result[0] < 0.05 ; true",
          "result[0] != 0.01 ; false",
          "result < 0.05 ; true",
          "result[1] * 2 + 1 == 5 ; true",
          "max(result) == 2 ; true",
          "min(result) < 0.05 ; true",
          "abs(result[0] - result[1]) > 1 ; true",
          "sum(result) / len(result) == mean(result) ; true",
          "all(result, {# < 3}) ; true",
          "all(result, # < 2) ; false",
          "any(result, # > 1) ; true",
          "none(result, {# > 5}) ; true",
          "one(result, {# > 1}) ; true",
          "len(filter(result, # > 1)) == 1 ; true",
          "map(result, # * 100)[0] == 1 ; true",
          "result[-1] == 2 ; true",
          "default(result[0], 1) < 1 ; true",
        })
    void conditionsOverAVector(String condition, boolean expected) {
      MetricResult result = condition.equals("result < 0.05") ? vector(0.01) : vector(0.01, 2.0);
      assertEquals(expected, eval(condition, result), condition);
    }

    @Test
    void aScalarIsANumberAndIndexableAtZero() {
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
      assertTrue(eval("isNaN(max(result[0], 1))", nan), "NaN wins in max()");
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
    void evaluationErrorsNameConditionColumnAndValues() {
      assertEquals(
          "condition 'result[2] < 1': index 2 at column 7 is out of range; the result has 2 values",
          assertThrows(
                  ConditionEvaluationException.class, () -> eval("result[2] < 1", vector(0.1, 0.2)))
              .getMessage());
      assertEquals(
          "condition 'result < 1': '<' needs numbers, strings or times but got an array [0.1, 0.2];"
              + " use result[i], all(result, {# < x}), any(result, {# > x}) or max(result)"
              + " (at column 1)",
          assertThrows(
                  ConditionEvaluationException.class, () -> eval("result < 1", vector(0.1, 0.2)))
              .getMessage());
      assertEquals(
          "condition 'true and 2': 'and' needs true or false but got int 2 (at column 10)",
          assertThrows(ConditionEvaluationException.class, () -> eval("true and 2", vector(0.1)))
              .getMessage());
      assertThrows(ConditionEvaluationException.class, () -> eval("result[0.5] < 1", vector(0.1)));
    }
  }

  @Nested
  class Syntax {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '`',
        value = {
          "result[0] > | expected an operand after '>' at column 12",
          "result[0] < 1 ) | unexpected ')' after a complete condition at column 15",
          "(result[0] < 1 | expected ')' but found end of condition at column 15",
          "result[0 < 1 | expected ']' but found end of condition at column 13",
          "reslt[0] < 1 | unknown name 'reslt' (known: result, true, false, nil) at column 1",
          "result[0] = 1 | unexpected character '=' (use '==' to compare) at column 11",
          "result[0] < 1 & true | unexpected character '&' (use '&&' or 'and') at column 15",
          "# < 1 | '#' is only defined inside the predicate of all(), any(), filter(), map()... at column 1",
          "all(result # < 1) | expected ',' or ')' but found '#' at column 12",
          "lenn(result) > 0 | unknown function 'lenn' (known: abs, all, any, asFloat, asInt, ceil, count, default, filter, first, float, floor, int, isInf, isNaN, isNil, last, len, map, max, mean, min, none, one, round, sum) at column 1",
          "result[0] < 1.2.3 | unexpected '.3' after a complete condition at column 16",
          "result[0] < 1 and | expected an operand after 'and' at column 18",
          "'open | string literal not terminated at column 1",
          "result[0] < 5m | malformed number '5m' at column 13",
          "1 + | expected an operand after '+' at column 4",
          "not | expected an operand after 'not' at column 4",
          "isNaN | unknown name 'isNaN' (known: result, true, false, nil); isNaN is a function: isNaN(...) at column 1",
        })
    void syntaxErrorsNameTheProblemAndColumn(String condition, String message) {
      assertEquals(
          message,
          assertThrows(ConditionException.class, () -> Condition.parse(condition)).getMessage());
    }

    @Test
    void blankIsRejectedWithoutAColumn() {
      assertEquals(
          "must not be blank",
          assertThrows(ConditionException.class, () -> Condition.parse("  ")).getMessage());
    }

    @Test
    void commentsAndAllQuotesAreAccepted() {
      assertTrue(eval("result[0] < 1 // under the limit", vector(0.5)));
      assertTrue(eval("/* a */ 'a' + \"b\" + `c` == 'abc'", vector(0.5)));
    }

    @Test
    void grammarIsTheLoaderSyntaxCheck() {
      assertEquals(Optional.empty(), ConditionGrammar.INSTANCE.check("result[0] < 0.05"));
      assertEquals(
          Optional.of("expected an operand after '>' at column 12"),
          ConditionGrammar.INSTANCE.check("result[0] >"));
    }
  }

  /** {{args.*}} and {{rollout.*}} in conditions, keeping their columns until bound. */
  @Nested
  class PlaceholdersInConditions {
    @Test
    void aBarePlaceholderBecomesTheNumberItsValueSpells() {
      Condition condition = Condition.parse("result[0] < {{args.threshold}}");
      assertEquals(
          List.of(new Condition.Placeholder("args.threshold", 13)), condition.placeholders());
      Condition bound = condition.bind(Map.of("args.threshold", "0.05"));
      assertTrue(bound.evaluate(vector(0.01)).value());
      assertFalse(bound.evaluate(vector(0.06)).value());
      assertEquals("result[0] < {{args.threshold}}", bound.source());
      assertTrue(
          Condition.parse("result[0] < {{ args.limit }}")
              .bind(Map.of("args.limit", "3"))
              .evaluate(vector(2.0))
              .value());
    }

    @Test
    void aValueIsDataNeverMoreExpression() {
      ConditionException error =
          assertThrows(
              ConditionException.class,
              () ->
                  Condition.parse("result[0] < {{args.threshold}}")
                      .bind(Map.of("args.threshold", "0.05 or true")));
      assertEquals(
          "{{args.threshold}} is \"0.05 or true\", which is not a number, true, false or nil;"
              + " to use it as text, quote it: \"{{args.threshold}}\" at column 13",
          error.getMessage());
    }

    @Test
    void insideAStringTheValueIsText() {
      Condition condition = Condition.parse("result.ns == \"{{rollout.namespace}}-x\"");
      assertEquals(
          List.of(new Condition.Placeholder("rollout.namespace", 15)), condition.placeholders());
      assertTrue(
          condition
              .bind(Map.of("rollout.namespace", "shop\" or true"))
              .evaluate(Value.of(Map.of("ns", "shop\" or true-x")))
              .value());
    }

    @Test
    void aPlaceholderWithoutAValueNamesItsColumn() {
      assertEquals(
          "{{args.x}} has no value at column 9",
          assertThrows(
                  ConditionException.class,
                  () -> Condition.parse("1 < 2 < {{args.x}}").bind(Map.of()))
              .getMessage());
    }
  }

  /** isNaN(result[0]) || result[0] < x: refused when loaded, never a pass at run time. */
  @Nested
  class MissingData {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = ';',
        value = {
          // prometheus_test.go TestProcessNaNResponse "success": Argo passes this on NaN
          "result >= 0.9 || isNaN(result) ; the query returns NaN (such as 0/0 when there is no traffic) (result NaN)",
          "isNaN(result[0]) || result[0] < 0.05 ; the query returns NaN (such as 0/0 when there is no traffic) (result NaN)",
          "any(result, isNaN(#)) || all(result, # < 1) ; the query returns NaN (such as 0/0 when there is no traffic) (result NaN)",
          "isInf(result[0]) or result[0] < 1 ; the query returns an infinity (such as x/0) (result [+Inf])",
          "len(result) == 0 || result[0] < 1 ; the query matches no series (result [])",
          "default(first(result), 0) < 1 ; the query matches no series (result [])",
        })
    void aSuccessConditionThatLetsMissingDataPassIsRefused(String condition, String when) {
      Optional<String> why = Condition.parse(condition).passesOnMissingData();
      assertEquals(Optional.of("'" + condition + "' is true when " + when), why);
      assertTrue(
          ConditionGrammar.INSTANCE
              .checkSuccess(condition, Map.of())
              .orElseThrow()
              .contains("Ordinal never counts missing data as a success"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = ';',
        value = {
          "!isNaN(result[0]) && result[0] < 0.05",
          "len(result) > 0 and all(result, {# < 1})",
          "all(result, {# < 1})",
          "not (result[0] > 1)",
          "result[0] < {{args.threshold}}",
        })
    void guardsAgainstMissingDataAreAccepted(String condition) {
      assertEquals(Optional.empty(), Condition.parse(condition).passesOnMissingData());
      assertEquals(
          Optional.empty(),
          ConditionGrammar.INSTANCE.checkSuccess(condition, Map.of("threshold", "0.05")));
    }

    @Test
    void anArgDefaultIsCheckedWhereTheConditionUsesIt() {
      assertEquals(
          Optional.of(
              "{{args.threshold}} is \"high\", which is not a number, true, false or nil; to use"
                  + " it as text, quote it: \"{{args.threshold}}\" at column 13"),
          ConditionGrammar.INSTANCE.checkSuccess(
              "result[0] < {{args.threshold}}", Map.of("threshold", "high")));
    }
  }

  /** A condition that can never say yes or no is refused when loaded, not at every measurement. */
  @Nested
  class NeverDecides {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "result[0] * 100 | gives float 50 when result is [0.5], not true or false; a condition must"
              + " say yes or no, such as result[0] < 0.05",
          "filter(result, # > 0.1) | gives an array [0.5] when result is [0.5], not true or false; a"
              + " condition must say yes or no, such as result[0] < 0.05",
          "result[0] > 1 ? true : \"no\" | gives string \"no\" when result is [0.5], not true or false;"
              + " a condition must say yes or no, such as result[0] < 0.05",
          "result[0] < \"0.05\" | fails on every result a query can return (a scalar, one series or"
              + " three): when result is [0.5]: '<' needs numbers, strings or times but got string"
              + " \"0.05\" (at column 13)",
          "result.p99 < 1 | fails on every result a query can return (a scalar, one series or three):"
              + " when result is [0.5]: an index must be an integer, got string \"p99\" (at column 7)",
        })
    void isRefused(String condition, String why) {
      assertEquals(Optional.of(why), Condition.parse(condition).cannotDecide());
      assertEquals(Optional.of(why), ConditionGrammar.INSTANCE.check(condition));
      assertEquals(
          Optional.of(why), ConditionGrammar.INSTANCE.checkFailure(condition, Map.of("x", "1")));
      assertEquals(Optional.of(why), ConditionGrammar.INSTANCE.checkSuccess(condition, Map.of()));
      assertEquals(Optional.of(why), ConditionGrammar.INSTANCE.checkBound(condition, Map.of()));
    }

    /** What the data decides (an index past the series there are) stays a run-time error. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = ';',
        value = {
          "result[0] < 0.05",
          "result < 0.05",
          "result[2] < 0.05",
          "all(result, # < 1)",
          "max(result) < 10 && mean(result) > 0",
          "len(result) > 1 ? result[1] < 1 : result[0] < 1",
          "result[0] < 1 || result[0] * 2",
          // a range query's points, a vector of many series: past any result tried, not broken
          "result[9] - result[0] < 0.01",
          "result[3] > 1",
        })
    void leavesTheDataToDecide(String condition) {
      assertEquals(Optional.empty(), Condition.parse(condition).cannotDecide());
      assertEquals(Optional.empty(), ConditionGrammar.INSTANCE.check(condition));
    }

    /** Trying a condition must end: a range that overflows, predicates nested over ranges. */
    @Test
    void aConditionTooCostlyToTryIsRefusedAndTheTryEnds() {
      assertEquals(
          Optional.of(
              "fails on every result a query can return (a scalar, one series or three): when"
                  + " result is [0.5]: the range -9000000000000000000..9000000000000000000 is too"
                  + " long (at column 25)"),
          Condition.parse("len(-9000000000000000000..9000000000000000000) > 0 && result[0] < 1")
              .cannotDecide());
      Optional<String> nested =
          Condition.parse("all(1..100000, {all(1..100000, {# > 0})}) && result[0] < 0.05")
              .cannotDecide();
      assertTrue(
          nested.orElseThrow().contains("takes more than 1000000 steps to evaluate"),
          nested.toString());
    }

    @Test
    void anArgIsTriedWithTheValueItIsGiven() {
      String condition = "result[0] < {{args.threshold}}";
      assertEquals(Optional.empty(), Condition.parse(condition).cannotDecide());
      assertEquals(
          Optional.empty(),
          ConditionGrammar.INSTANCE.checkFailure(condition, Map.of("threshold", "0.05")));
      assertEquals(
          Optional.of(
              "fails on every result a query can return (a scalar, one series or three): when"
                  + " result is [0.5]: '<' needs numbers, strings or times but got string \"high\""
                  + " (at column 13)"),
          ConditionGrammar.INSTANCE.checkBound(
              "result[0] < \"{{args.threshold}}\"", Map.of("threshold", "high")));
    }
  }

  /** rangeQuery start and end: prometheus_test.go TestRunSuccessfullyWithRangeQuery and kin. */
  @Nested
  class TimeExpressions {
    private final Instant now = Instant.parse("2026-03-01T12:00:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "now() | 2026-03-01T12:00:00Z",
          "now() - duration(\"5m\") | 2026-03-01T11:55:00Z",
          "now() - duration(\"1h30m\") + duration(\"1.5s\") | 2026-03-01T10:30:01.500Z",
          "date(\"2023-08-14 00:00:00\", \"2006-01-02 15:04:05\", \"UTC\") - duration(\"1h\") | 2023-08-13T23:00:00Z",
          "date(\"2023-08-14 00:00:00\", \"2006-01-02 15:04:05\", \"UTC\") | 2023-08-14T00:00:00Z",
          "date(\"2023-08-14\") | 2023-08-14T00:00:00Z",
          "date(\"2023-08-14T02:00:00+02:00\") | 2023-08-14T00:00:00Z",
          "date(\"14/08/2023 01:00\", \"02/01/2006 15:04\", \"Europe/Zurich\") | 2023-08-13T23:00:00Z",
        })
    void namesATime(String expression, String expected) {
      assertEquals(Instant.parse(expected), TimeExpression.parse(expression).evaluate(now));
    }

    @Test
    void testRunUnparsableStartTimeFailsWhenLoaded() {
      assertEquals(
          Optional.of(
              "'now() - duration(\"??\")': duration(\"??\"): not a duration; write a number with a"
                  + " unit: ns, us, ms, s, m or h (e.g. \"5m\") (at column 9)"),
          ConditionGrammar.INSTANCE.checkTime("now() - duration(\"??\")"));
      assertEquals(
          Optional.of("unknown name 'result' (known: true, false, nil) at column 1"),
          ConditionGrammar.INSTANCE.checkTime("result"));
    }

    @Test
    void somethingThatIsNotATimeIsAnError() {
      assertEquals(
          "'duration(\"5m\")' gives duration PT5M, not a time; write e.g. now() - duration(\"5m\")",
          assertThrows(
                  ConditionEvaluationException.class,
                  () -> TimeExpression.parse("duration(\"5m\")").evaluate(now))
              .getMessage());
    }

    @Test
    void nowIsNotAvailableInConditions() {
      assertThrows(ConditionException.class, () -> Condition.parse("now() > 0"));
    }
  }

  @Test
  void formatsNumbersForPeople() {
    assertEquals(
        Arrays.asList("0.05", "3", "NaN", "+Inf", "-Inf"),
        Stream.of(0.05, 3.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)
            .map(Value::format)
            .toList());
    assertEquals("[0.012, NaN]", MetricResult.vector(List.of(0.012, Double.NaN)).toString());
  }
}
