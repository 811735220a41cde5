package dev.ordinal.manifest;

import java.util.Optional;

/**
 * A named argument of an analysis. In an {@link AnalysisTemplate} the value is a default (absent
 * means the policy must supply it); in a {@link RolloutPolicy} it is the value passed in.
 */
public record AnalysisArg(String name, Optional<String> value) {}
