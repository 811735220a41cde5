package dev.ordinal.analysis.condition;

import dev.ordinal.manifest.ConditionSyntax;
import java.util.Optional;

/**
 * The {@link ConditionSyntax} the manifest loader uses by default: a condition that does not parse
 * fails {@code ordinal validate} with its file, line and the column inside the condition. Stateless
 * and thread-safe.
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
}
