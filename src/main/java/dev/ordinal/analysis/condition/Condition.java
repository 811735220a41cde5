package dev.ordinal.analysis.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed {@code successCondition} or {@code failureCondition}: expr-lang, as Argo Rollouts users
 * write it, over {@code result}. Parsing happens when the template is loaded; placeholders ({@code
 * {{args.NAME}}}, {@code {{rollout.NAME}}}) are filled in with {@link #bind} when a run starts;
 * evaluation is pure and cheap.
 *
 * <p>{@code result} is a float (scalar query) or an array of floats (vector, or a range query's
 * points). See {@link Evaluator} for Ordinal's few additions to expr's semantics, none of which
 * turns missing data into a pass. {@link Evaluation} records whether any NaN or infinity was read
 * or computed, so callers can refuse to call a successCondition satisfied on such data.
 */
public final class Condition {
  private static final Set<String> VARIABLES = Set.of("result");

  private final String source;
  private final Expr expr;

  private Condition(String source, Expr expr) {
    this.source = source;
    this.expr = expr;
  }

  /**
   * Parses {@code source}.
   *
   * @throws ConditionException naming the problem and its 1-based column
   */
  public static Condition parse(String source) {
    return new Condition(source, Parser.parse(source, "condition", VARIABLES, Functions.CONDITION));
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }

  /** A placeholder in the condition, such as {@code args.threshold}, with its column. */
  public record Placeholder(String name, int column) {}

  public List<Placeholder> placeholders() {
    return Placeholders.find(expr);
  }

  /**
   * The condition with its placeholders filled in from {@code values} (keyed {@code args.NAME},
   * {@code rollout.NAME}). The source stays as written, so messages show what the author wrote.
   *
   * @throws ConditionException for a placeholder without a value, or a bare placeholder whose value
   *     is not a number, true, false or nil
   */
  public Condition bind(Map<String, String> values) {
    return placeholders().isEmpty() ? this : new Condition(source, Placeholders.bind(expr, values));
  }

  /** The outcome of one evaluation. */
  public record Evaluation(boolean value, boolean sawNonFinite) {}

  /**
   * Evaluates the condition against {@code result}.
   *
   * @throws ConditionEvaluationException when the condition does not fit the data, e.g. an index
   *     out of range or an array compared as a number
   */
  public Evaluation evaluate(MetricResult result) {
    Evaluation evaluation = evaluate(valueOf(result));
    return new Evaluation(evaluation.value(), evaluation.sawNonFinite() || result.hasNonFinite());
  }

  /** Evaluates against any value, as Argo's non-Prometheus providers hand them over. */
  Evaluation evaluate(Value result) {
    Evaluator evaluator =
        new Evaluator("condition '" + source + "'", Map.of("result", result), null);
    Value value = evaluator.eval(expr);
    if (!(value instanceof Value.Bool bool)) {
      throw new ConditionEvaluationException(
          "condition '" + source + "' gives " + Evaluator.describe(value) + ", not true or false");
    }
    return new Evaluation(bool.value(), evaluator.sawNonFinite);
  }

  static Value valueOf(MetricResult result) {
    if (result instanceof MetricResult.Scalar scalar) {
      return new Value.Float(scalar.value());
    }
    List<Value> items = new ArrayList<>();
    result.values().forEach(v -> items.add(new Value.Float(v)));
    return new Value.Array(items);
  }

  /**
   * A number this condition compares the result with, such as {@code < 0.05} in {@code result[0] <
   * 0.05}: what a chart draws as a line beside the measured values.
   *
   * @param op the comparison as read with the result on the left ({@code 0.05 > result} gives
   *     {@code <})
   */
  public record Threshold(String op, double value) {}

  private static final Set<String> COMPARISONS = Set.of("<", "<=", ">", ">=", "==");

  /**
   * The comparisons of {@code result} (or {@code result[0]}) with a number, found at the top of the
   * condition and through {@code &&} and {@code ||}; empty when the condition is shaped otherwise
   * (a chart then shows the condition's text alone). Placeholders must be bound first.
   */
  public List<Threshold> thresholds() {
    List<Threshold> found = new ArrayList<>();
    collectThresholds(expr, found);
    return found;
  }

  private static void collectThresholds(Expr node, List<Threshold> found) {
    if (!(node instanceof Expr.Binary binary)) {
      return;
    }
    switch (binary.op()) {
      case "&&", "and", "||", "or" -> {
        collectThresholds(binary.left(), found);
        collectThresholds(binary.right(), found);
      }
      default -> {
        if (!COMPARISONS.contains(binary.op())) {
          return;
        }
        Optional<Double> right = number(binary.right());
        Optional<Double> left = number(binary.left());
        if (isResult(binary.left()) && right.isPresent()) {
          found.add(new Threshold(binary.op(), right.get()));
        } else if (isResult(binary.right()) && left.isPresent()) {
          found.add(new Threshold(mirrored(binary.op()), left.get()));
        }
      }
    }
  }

  private static boolean isResult(Expr node) {
    if (node instanceof Expr.Variable v) {
      return v.name().equals("result");
    }
    return node instanceof Expr.Member m
        && m.target() instanceof Expr.Variable v
        && v.name().equals("result")
        && m.key() instanceof Expr.Literal key
        && key.value() instanceof Value.Int index
        && index.value() == 0;
  }

  private static Optional<Double> number(Expr node) {
    if (node instanceof Expr.Unary u && u.op().equals("-")) {
      return number(u.operand()).map(n -> -n);
    }
    if (node instanceof Expr.Literal literal) {
      if (literal.value() instanceof Value.Int i) {
        return Optional.of((double) i.value());
      }
      if (literal.value() instanceof Value.Float f) {
        return Optional.of(f.value());
      }
    }
    return Optional.empty();
  }

  private static String mirrored(String op) {
    return switch (op) {
      case "<" -> ">";
      case "<=" -> ">=";
      case ">" -> "<";
      case ">=" -> "<=";
      default -> op;
    };
  }

  // What a Prometheus query can hand a condition: a vector of one series first (the common
  // case, whose error a message names), then a scalar and a vector of three, each with a few
  // values.
  private static final List<Value> SAMPLE_RESULTS = sampleResults();

  private static List<Value> sampleResults() {
    List<Value> samples = new ArrayList<>();
    for (double sample : new double[] {0.5, 0, 1, 100}) {
      Value number = new Value.Float(sample);
      samples.add(new Value.Array(List.of(number)));
      samples.add(number);
      samples.add(new Value.Array(List.of(number, number, number)));
    }
    return List.copyOf(samples);
  }

  /**
   * Why this condition can never decide a measurement, or empty: it gives something other than true
   * or false for a result a Prometheus query can return (such as {@code result[0] + 1}), or fails
   * on every such result (such as {@code result[0] < "0.05"}, a number compared with a string).
   * Either would make every measurement an error at run time, after the commit was applied. An
   * error on some results only (an index beyond one series) is left to run time, as the data
   * decides it. Conditions with unfilled placeholders are not tried.
   */
  public Optional<String> cannotDecide() {
    if (!placeholders().isEmpty()) {
      return Optional.empty();
    }
    String firstError = null;
    boolean decided = false;
    for (Value result : SAMPLE_RESULTS) {
      Evaluator evaluator =
          new Evaluator("when result is " + result, Map.of("result", result), null);
      Value value;
      try {
        value = evaluator.eval(expr);
      } catch (ConditionEvaluationException.OutOfRange moreData) {
        decided = true; // result[9] of a range query: a result with more values decides it
        continue;
      } catch (ConditionEvaluationException e) {
        firstError = firstError == null ? e.getMessage() : firstError;
        continue;
      }
      if (!(value instanceof Value.Bool)) {
        return Optional.of(
            "gives "
                + Evaluator.describe(value)
                + " when result is "
                + result
                + ", not true or false; a condition must say yes or no, such as result[0] < 0.05");
      }
      decided = true;
    }
    return decided
        ? Optional.empty()
        : Optional.of(
            "fails on every result a query can return (a scalar, one series or three): "
                + firstError);
  }

  /**
   * Why this condition, used as a successCondition, explicitly lets missing data pass, or empty. A
   * condition that checks for missing data ({@code isNaN}, {@code isInf}, {@code len}, {@code
   * isNil}, {@code default}, {@code nil}) and is then true for it, such as {@code isNaN(result[0])
   * || result[0] < 0.05}, says "no data is fine" — which Ordinal never honours: an empty, NaN or
   * infinite result is inconclusive whatever the condition says. Refusing it when the template is
   * loaded is kinder than silently ignoring that part at run time. Conditions with unfilled
   * placeholders are not probed.
   */
  public Optional<String> passesOnMissingData() {
    if (!placeholders().isEmpty()) {
      return Optional.empty();
    }
    Set<String> checks = MissingDataChecks.of(expr);
    List<MissingDataChecks.Probe> probes = MissingDataChecks.probes(checks);
    for (MissingDataChecks.Probe probe : probes) {
      try {
        if (evaluate(probe.result()).value()) {
          return Optional.of(
              "'"
                  + source
                  + "' is true when "
                  + probe.description()
                  + " (result "
                  + probe.result()
                  + ")");
        }
      } catch (ConditionEvaluationException doesNotFit) {
        // an error on missing data is not a pass
      }
    }
    return Optional.empty();
  }
}
