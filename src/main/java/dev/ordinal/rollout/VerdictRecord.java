package dev.ordinal.rollout;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One analysis outcome the rollout state remembers.
 *
 * @param step the 1-based step of an analysis step, 0 for the background analysis, {@link #LEGACY}
 *     for a sentence an older Ordinal recorded (then {@code templates} holds it)
 * @param templates the template names, comma-separated
 * @param promotedByUser an inconclusive verdict a user promoted past
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record VerdictRecord(
    int step, String templates, AnalysisVerdict verdict, boolean promotedByUser) {
  public static final int LEGACY = -1;

  public VerdictRecord {
    templates = templates == null ? "" : templates;
    Objects.requireNonNull(verdict, "verdict");
  }

  @JsonIgnore
  public boolean background() {
    return step == 0;
  }

  /** {@code step-2 error-rate SUCCESSFUL}, {@code background INCONCLUSIVE, promoted by user}. */
  @Override
  public String toString() {
    if (step == LEGACY) {
      return templates;
    }
    return (background() ? "background" : "step-" + step)
        + (templates.isEmpty() ? "" : " " + templates)
        + " "
        + verdict
        + (promotedByUser ? ", promoted by user" : "");
  }
}
