package dev.ordinal.analysis.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code successCondition} or {@code failureCondition}. Parsing happens when the template
 * is loaded; evaluation is pure and cheap.
 *
 * <p>Values are numbers, booleans, or the list of sample values ({@code result} of a vector). A
 * list of exactly one value is accepted wherever a number is expected, so {@code result < 0.05}
 * works for a single-series query as it does in Argo; a longer list there is an error that tells
 * the author to use {@code result[i]}, {@code all()} or {@code any()}. A scalar result may be
 * indexed as {@code result[0]}.
 *
 * <p>Non-finite arithmetic: every comparison that involves NaN is false — including {@code !=}, so
 * that {@code not} cannot turn "unknown" into "fine" through an inequality. {@link Evaluation}
 * records whether any NaN or infinity was read or computed, so callers can refuse to call a
 * successCondition satisfied on such data (see {@code MeasurementRules}).
 */
public final class Condition {
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
    return new Condition(source, Parser.parse(source));
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return source;
  }

  /** The outcome of one evaluation. */
  public record Evaluation(boolean value, boolean sawNonFinite) {}

  /**
   * Evaluates the condition against {@code result}.
   *
   * @throws ConditionEvaluationException when the condition does not fit the data, e.g. an index
   *     out of range or a multi-value result compared as a number
   */
  public Evaluation evaluate(MetricResult result) {
    Evaluator evaluator = new Evaluator(result);
    Object value = evaluator.eval(expr, null);
    if (!(value instanceof Boolean)) {
      throw new ConditionEvaluationException(
          "condition '" + source + "' gives " + describe(value) + ", not true or false");
    }
    return new Evaluation((Boolean) value, evaluator.sawNonFinite);
  }

  /** Numbers as people read them: 0.05, 3, NaN, +Inf. */
  public static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.valueOf((long) value);
    }
    return String.format(Locale.ROOT, "%.6g", value).replaceAll("\\.?0+($|e)", "$1");
  }

  static String describe(Object value) {
    if (value instanceof Double) {
      return format((Double) value);
    }
    if (value instanceof List) {
      StringBuilder text = new StringBuilder("a list [");
      List<?> list = (List<?>) value;
      for (int i = 0; i < list.size(); i++) {
        text.append(i == 0 ? "" : ", ").append(format((Double) list.get(i)));
      }
      return text.append(']').toString();
    }
    return String.valueOf(value);
  }

  /** Walks the tree. Values are Double, Boolean or List&lt;Double&gt;. */
  private final class Evaluator {
    private final MetricResult result;
    boolean sawNonFinite;

    Evaluator(MetricResult result) {
      this.result = result;
      this.sawNonFinite = result.hasNonFinite();
    }

    Object eval(Expr expr, Double element) {
      if (expr instanceof Expr.Number number) {
        return number.value();
      }
      if (expr instanceof Expr.Bool bool) {
        return bool.value();
      }
      if (expr instanceof Expr.Result) {
        return result instanceof MetricResult.Scalar scalar
            ? (Object) scalar.value()
            : result.values();
      }
      if (expr instanceof Expr.Element) {
        return element;
      }
      if (expr instanceof Expr.Index index) {
        return index(index, element);
      }
      if (expr instanceof Expr.Negate negate) {
        return -number(negate.operand(), element, "'-'");
      }
      if (expr instanceof Expr.Not not) {
        return !bool(not.operand(), element, "'not'");
      }
      if (expr instanceof Expr.And and) {
        return bool(and.left(), element, "'and'") && bool(and.right(), element, "'and'");
      }
      if (expr instanceof Expr.Or or) {
        return bool(or.left(), element, "'or'") || bool(or.right(), element, "'or'");
      }
      if (expr instanceof Expr.Arithmetic arithmetic) {
        String what = "'" + arithmetic.op().symbol + "'";
        double left = number(arithmetic.left(), element, what);
        double right = number(arithmetic.right(), element, what);
        double value;
        switch (arithmetic.op()) {
          case ADD:
            value = left + right;
            break;
          case SUBTRACT:
            value = left - right;
            break;
          case MULTIPLY:
            value = left * right;
            break;
          default:
            value = left / right;
        }
        noteNonFinite(value);
        return value;
      }
      if (expr instanceof Expr.Comparison comparison) {
        return compare(comparison, element);
      }
      if (expr instanceof Expr.Call call) {
        return call(call, element);
      }
      if (expr instanceof Expr.Quantifier quantifier) {
        List<Double> values =
            list(quantifier.collection(), element, quantifier.all() ? "all()" : "any()");
        for (Double value : values) {
          boolean holds =
              bool(
                  quantifier.predicate(),
                  value,
                  "the predicate of " + (quantifier.all() ? "all()" : "any()"));
          if (quantifier.all() && !holds) {
            return false;
          }
          if (!quantifier.all() && holds) {
            return true;
          }
        }
        // all() over nothing is vacuously true in expr; callers treat an empty result as
        // inconclusive before a condition is ever evaluated, so this cannot pass a rollout.
        return quantifier.all();
      }
      throw new IllegalStateException("unknown expression " + expr);
    }

    private Object index(Expr.Index index, Double element) {
      List<Double> values = list(index.target(), element, "'['");
      double position = number(index.index(), element, "an index");
      if (position != Math.rint(position) || position < 0 || position >= values.size()) {
        throw new ConditionEvaluationException(
            "condition '"
                + source
                + "': index "
                + format(position)
                + " at column "
                + index.column()
                + " is out of range; the result has "
                + values.size()
                + " value"
                + (values.size() == 1 ? "" : "s"));
      }
      return values.get((int) position);
    }

    private Object compare(Expr.Comparison comparison, Double element) {
      String what = "'" + comparison.op().symbol + "'";
      double left = number(comparison.left(), element, what);
      double right = number(comparison.right(), element, what);
      if (Double.isNaN(left) || Double.isNaN(right)) {
        sawNonFinite = true;
        return false;
      }
      noteNonFinite(left);
      noteNonFinite(right);
      switch (comparison.op()) {
        case LT:
          return left < right;
        case LE:
          return left <= right;
        case GT:
          return left > right;
        case GE:
          return left >= right;
        case EQ:
          return left == right;
        default:
          return left != right;
      }
    }

    private Object call(Expr.Call call, Double element) {
      switch (call.function()) {
        case "len":
          return (double) list(call.argument(), element, "len()").size();
        case "isNaN":
          return Double.isNaN(number(call.argument(), element, "isNaN()"));
        default:
          return Double.isInfinite(number(call.argument(), element, "isInf()"));
      }
    }

    private void noteNonFinite(double value) {
      if (!Double.isFinite(value)) {
        sawNonFinite = true;
      }
    }

    private double number(Expr expr, Double element, String what) {
      Object value = eval(expr, element);
      if (value instanceof Double) {
        return (Double) value;
      }
      if (value instanceof List<?> list && list.size() == 1) {
        return (Double) list.get(0);
      }
      String hint =
          value instanceof List ? "; use result[i], all(result, {...}) or any(result, {...})" : "";
      throw new ConditionEvaluationException(
          "condition '"
              + source
              + "': "
              + what
              + " at column "
              + expr.column()
              + " needs a number but got "
              + describe(value)
              + hint);
    }

    private boolean bool(Expr expr, Double element, String what) {
      Object value = eval(expr, element);
      if (value instanceof Boolean) {
        return (Boolean) value;
      }
      throw new ConditionEvaluationException(
          "condition '"
              + source
              + "': "
              + what
              + " at column "
              + expr.column()
              + " needs true or false but got "
              + describe(value));
    }

    @SuppressWarnings("unchecked")
    private List<Double> list(Expr expr, Double element, String what) {
      Object value = eval(expr, element);
      if (value instanceof List) {
        return (List<Double>) value;
      }
      if (value instanceof Double) {
        List<Double> single = new ArrayList<>(1);
        single.add((Double) value);
        return single;
      }
      throw new ConditionEvaluationException(
          "condition '"
              + source
              + "': "
              + what
              + " at column "
              + expr.column()
              + " needs result or a number but got "
              + describe(value));
    }
  }
}
