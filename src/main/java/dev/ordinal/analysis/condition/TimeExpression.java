package dev.ordinal.analysis.condition;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code start} or {@code end} of a Prometheus {@code rangeQuery}, written as in Argo Rollouts:
 * an expr-lang expression over {@code now()}, {@code duration("5m")} and {@code date("...")}, such
 * as {@code now() - duration("15m")}. The clock is an argument, so evaluation stays pure.
 */
public final class TimeExpression {
  private final String source;
  private final Expr expr;

  private TimeExpression(String source, Expr expr) {
    this.source = source;
    this.expr = expr;
  }

  /**
   * @throws ConditionException naming the problem and its 1-based column
   */
  public static TimeExpression parse(String source) {
    return new TimeExpression(source, Parser.parse(source, "expression", Set.of(), Functions.TIME));
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }

  public List<Condition.Placeholder> placeholders() {
    return Placeholders.find(expr);
  }

  /** See {@link Condition#bind}. */
  public TimeExpression bind(Map<String, String> values) {
    return placeholders().isEmpty()
        ? this
        : new TimeExpression(source, Placeholders.bind(expr, values));
  }

  /**
   * The time this expression names when the clock reads {@code now}.
   *
   * @throws ConditionEvaluationException when it does not name a time
   */
  public Instant evaluate(Instant now) {
    Value value = new Evaluator("'" + source + "'", Map.of(), now).eval(expr);
    if (value instanceof Value.Time time) {
      return time.value();
    }
    throw new ConditionEvaluationException(
        "'"
            + source
            + "' gives "
            + Evaluator.describe(value)
            + ", not a time; write e.g. now() - duration(\"5m\")");
  }
}
