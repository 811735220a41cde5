package dev.ordinal.rollout;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A reference to an analysis template with the arguments to run it with. Arguments are kept sorted
 * so that previews and run requests render identically on every run.
 */
public record AnalysisRef(String templateName, Map<String, String> args) {
  public AnalysisRef {
    Objects.requireNonNull(templateName, "templateName");
    if (templateName.isBlank()) {
      throw new IllegalArgumentException("analysis templateName must not be blank");
    }
    args = args == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(args));
  }

  /** A reference without arguments. */
  public static AnalysisRef of(String templateName) {
    return new AnalysisRef(templateName, Map.of());
  }
}
