package dev.ordinal.analysis.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which kinds of missing data an expression tests for, and the results that stand for them: see
 * {@link Condition#passesOnMissingData()}.
 */
final class MissingDataChecks {
  private static final Set<String> EMPTY_CHECKS =
      Set.of("len", "isNil", "default", "first", "last", "count");

  private MissingDataChecks() {}

  /** A result standing for missing data, and how a message names it. */
  record Probe(Value result, String description) {}

  /** The missing-data checks {@code expr} makes: isNaN, isInf, and "empty" for the rest. */
  static Set<String> of(Expr expr) {
    Set<String> checks = new TreeSet<>();
    Placeholders.walk(
        expr,
        node -> {
          if (node instanceof Expr.Call call) {
            if (call.function().equals("isNaN") || call.function().equals("isInf")) {
              checks.add(call.function());
            } else if (EMPTY_CHECKS.contains(call.function())) {
              checks.add("empty");
            }
          } else if (node instanceof Expr.Literal literal && literal.value() == Value.NIL) {
            checks.add("empty");
          }
          return node;
        });
    return checks;
  }

  static List<Probe> probes(Set<String> checks) {
    List<Probe> probes = new ArrayList<>();
    Value nan = new Value.Float(Double.NaN);
    if (checks.contains("isNaN")) {
      String why = "the query returns NaN (such as 0/0 when there is no traffic)";
      // only NaN: a guard such as !isNaN(result[0]) must not be blamed for result[1]
      probes.add(new Probe(nan, why));
      probes.add(new Probe(new Value.Array(List.of(nan)), why));
      probes.add(new Probe(new Value.Array(List.of(nan, nan)), why));
    }
    if (checks.contains("isInf")) {
      String why = "the query returns an infinity (such as x/0)";
      probes.add(
          new Probe(new Value.Array(List.of(new Value.Float(Double.POSITIVE_INFINITY))), why));
      probes.add(
          new Probe(new Value.Array(List.of(new Value.Float(Double.NEGATIVE_INFINITY))), why));
    }
    if (checks.contains("empty")) {
      probes.add(new Probe(new Value.Array(List.of()), "the query matches no series"));
    }
    return probes;
  }
}
