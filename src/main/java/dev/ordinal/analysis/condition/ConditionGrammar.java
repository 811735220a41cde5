package dev.ordinal.analysis.condition;

import dev.ordinal.manifest.ConditionSyntax;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ConditionSyntax} the manifest loader uses by default: a condition that does not parse
 * fails {@code ordinal validate} with its file, line and the column inside the condition; a
 * successCondition that would let missing data pass is refused with the reason (see {@link
 * Condition#passesOnMissingData()}). Stateless and thread-safe.
 */
public final class ConditionGrammar implements ConditionSyntax {
  public static final ConditionGrammar INSTANCE = new ConditionGrammar();

  private ConditionGrammar() {}

  @Override
  public Optional<String> check(String expression) {
    try {
      Condition.parse(expression);
      return Optional.empty();
    } catch (ConditionException e) {
      return Optional.of(e.getMessage());
    }
  }

  @Override
  public Optional<String> checkSuccess(String expression, Map<String, String> argDefaults) {
    Condition condition;
    try {
      condition = Condition.parse(expression);
      Map<String, String> values = new HashMap<>();
      argDefaults.forEach((name, value) -> values.put("args." + name, value));
      if (condition.placeholders().stream().allMatch(p -> values.containsKey(p.name()))) {
        condition = condition.bind(values);
      }
    } catch (ConditionException e) {
      return Optional.of(e.getMessage());
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
