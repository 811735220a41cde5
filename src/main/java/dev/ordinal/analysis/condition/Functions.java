package dev.ordinal.analysis.condition;

import java.util.Map;
import java.util.TreeMap;

/**
 * The functions an expression may call, with their arity, so that a wrong call fails when the
 * template is loaded. The implementations are in {@link Evaluator}.
 */
final class Functions {
  private Functions() {}

  /**
   * @param max -1 for any number of arguments
   * @param predicate the index of the argument that is a predicate ({@code {# > 1}} or {@code # >
   *     1}), or -1
   */
  record Signature(int min, int max, int predicate) {
    String arity() {
      if (max == min) {
        return min + " argument" + (min == 1 ? "" : "s");
      }
      return max < 0 ? "at least " + min + " argument" + (min == 1 ? "" : "s") : min + " to " + max;
    }
  }

  private static final Signature ONE = new Signature(1, 1, -1);
  private static final Signature PREDICATE = new Signature(2, 2, 1);
  private static final Signature OPTIONAL_PREDICATE = new Signature(1, 2, 1);
  private static final Signature ANY_NUMBER = new Signature(1, -1, -1);

  /** What a success or failure condition may call: expr-lang's builtins and Argo's additions. */
  static final Map<String, Signature> CONDITION =
      new TreeMap<>(
          Map.ofEntries(
              // expr-lang builtins over arrays
              Map.entry("all", PREDICATE),
              Map.entry("any", PREDICATE),
              Map.entry("none", PREDICATE),
              Map.entry("one", PREDICATE),
              Map.entry("filter", PREDICATE),
              Map.entry("map", PREDICATE),
              Map.entry("count", OPTIONAL_PREDICATE),
              Map.entry("sum", OPTIONAL_PREDICATE),
              Map.entry("mean", ONE),
              Map.entry("first", ONE),
              Map.entry("last", ONE),
              Map.entry("len", ONE),
              // numbers
              Map.entry("max", ANY_NUMBER),
              Map.entry("min", ANY_NUMBER),
              Map.entry("abs", ONE),
              Map.entry("ceil", ONE),
              Map.entry("floor", ONE),
              Map.entry("round", ONE),
              Map.entry("int", ONE),
              Map.entry("float", ONE),
              // what Argo Rollouts adds to the environment of a condition
              Map.entry("asInt", ONE),
              Map.entry("asFloat", ONE),
              Map.entry("isNaN", ONE),
              Map.entry("isInf", ONE),
              Map.entry("isNil", ONE),
              Map.entry("default", new Signature(2, 2, -1))));

  /** What a {@code rangeQuery} start or end may call: expr-lang's date functions. */
  static final Map<String, Signature> TIME =
      new TreeMap<>(
          Map.of(
              "now", new Signature(0, 0, -1),
              "duration", ONE,
              "date", new Signature(1, 3, -1)));
}
