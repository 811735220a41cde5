package dev.ordinal.manifest;

import java.util.Map;
import java.util.Optional;

/**
 * Checks a metric's {@code successCondition}, {@code failureCondition} and {@code rangeQuery} times
 * when an {@link AnalysisTemplate} is loaded, so a bad expression fails the commit instead of the
 * rollout.
 *
 * <p>The daemon and the CLI use {@code dev.ordinal.analysis.condition.ConditionGrammar}; {@link
 * #NON_BLANK} accepts any non-blank string. Implementations must be thread-safe: templates are
 * parsed in parallel.
 */
@FunctionalInterface
public interface ConditionSyntax {

  /** Accepts any expression that is not blank. */
  ConditionSyntax NON_BLANK =
      expression -> expression.isBlank() ? Optional.of("must not be blank") : Optional.empty();

  /**
   * Returns a description of what is wrong with {@code expression}, or empty if it is valid. The
   * description is appended to the field path, e.g. {@code "unexpected ')' at column 12"}.
   */
  Optional<String> check(String expression);

  /**
   * As {@link #check}, for a successCondition, which may also be refused for what it would accept.
   *
   * @param argDefaults the template's args that have a default, by name
   */
  default Optional<String> checkSuccess(String expression, Map<String, String> argDefaults) {
    return check(expression);
  }

  /**
   * As {@link #check}, for a failureCondition, checked with the template's arg defaults filled in
   * where it names only args that have one.
   *
   * @param argDefaults the template's args that have a default, by name
   */
  default Optional<String> checkFailure(String expression, Map<String, String> argDefaults) {
    return check(expression);
  }

  /**
   * What is wrong with {@code expression} once {@code args} are bound into it (a value that is not
   * a number where one is compared with a number), or empty; unchecked when an arg it names has no
   * value here.
   */
  default Optional<String> checkBound(String expression, Map<String, String> args) {
    return check(expression);
  }

  /**
   * What is wrong with a PromQL {@code query} once {@code args} fill its placeholders (a value that
   * cannot stand where it sits, such as PromQL outside quotes), or empty. Args without a value here
   * are given a stand-in that is safe everywhere, as are the rollout's placeholders.
   */
  default Optional<String> checkQuery(String query, Map<String, String> args) {
    return Optional.empty();
  }

  /** As {@link #check}, for a {@code rangeQuery} start or end. */
  default Optional<String> checkTime(String expression) {
    return check(expression);
  }
}
