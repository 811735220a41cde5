package dev.ordinal.analysis.condition;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.analysis.AnalysisSetupException;
import dev.ordinal.analysis.QueryTemplates;
import dev.ordinal.manifest.ConditionSyntax;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ConditionSyntax} the manifest loader uses by default: a condition that does not parse
 * fails {@code ordinal validate} with its file, line and the column inside the condition, as does
 * one that can never give true or false ({@link Condition#cannotDecide()}); a successCondition that
 * would let missing data pass is refused with the reason (see {@link
 * Condition#passesOnMissingData()}). Stateless and thread-safe.
 */
public final class ConditionGrammar implements ConditionSyntax {
  public static final ConditionGrammar INSTANCE = new ConditionGrammar();

  private ConditionGrammar() {}

  @Override
  public Optional<String> check(String expression) {
    return checkFailure(expression, Map.of());
  }

  @Override
  public Optional<String> checkFailure(String expression, Map<String, String> argDefaults) {
    try {
      return bound(expression, argDefaults).cannotDecide();
    } catch (ConditionException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * {@code expression} parsed, with {@code args} filled in when every arg it names has a value
   * there; as written otherwise.
   */
  private static Condition bound(String expression, Map<String, String> args) {
    Condition condition = Condition.parse(expression);
    Map<String, String> values = new HashMap<>();
    args.forEach((name, value) -> values.put("args." + name, value));
    if (condition.placeholders().stream().allMatch(p -> values.containsKey(p.name()))) {
      condition = condition.bind(values);
    }
    return condition;
  }

  @Override
  public Optional<String> checkSuccess(String expression, Map<String, String> argDefaults) {
    Condition condition;
    try {
      condition = bound(expression, argDefaults);
    } catch (ConditionException e) {
      return Optional.of(e.getMessage());
    }
    Optional<String> undecided = condition.cannotDecide();
    if (undecided.isPresent()) {
      return undecided;
    }
    return condition
        .passesOnMissingData()
        .map(
            why ->
                why
                    + "; Ordinal never counts missing data as a success (it is inconclusive), so"
                    + " this part could never pass. Remove it; to fail on missing data say so in"
                    + " failureCondition (e.g. isNaN(result[0])), to tolerate it raise"
                    + " inconclusiveLimit");
  }

  @Override
  public Optional<String> checkBound(String expression, Map<String, String> args) {
    return checkFailure(expression, args);
  }

  /** A rollout whose names are safe wherever a query puts them: what fills its placeholders. */
  private static final AnalysisRuns.RolloutContext STAND_IN =
      new AnalysisRuns.RolloutContext("ns", "sts", "rev", "rev", List.of("pod"), List.of("pod"));

  @Override
  public Optional<String> checkQuery(String query, Map<String, String> args) {
    Map<String, String> values = new HashMap<>();
    for (String name : QueryTemplates.argNames(query)) {
      // "0" stands wherever a value may: inside quotes, and outside them as a number.
      values.put(name, args.getOrDefault(name, "0"));
    }
    try {
      QueryTemplates.render(query, values, STAND_IN);
      return Optional.empty();
    } catch (AnalysisSetupException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Also evaluates the expression once, so that {@code duration("5x")} fails at load time. */
  @Override
  public Optional<String> checkTime(String expression) {
    try {
      TimeExpression time = TimeExpression.parse(expression);
      if (time.placeholders().isEmpty()) {
        time.evaluate(Instant.EPOCH);
      }
      return Optional.empty();
    } catch (ConditionException | ConditionEvaluationException e) {
      return Optional.of(e.getMessage());
    }
  }
}
