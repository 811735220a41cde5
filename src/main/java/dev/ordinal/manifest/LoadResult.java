package dev.ordinal.manifest;

import java.util.List;

/** Outcome of loading a {@link SourceTree}: either every file was valid, or nothing is. */
public sealed interface LoadResult permits LoadResult.Loaded, LoadResult.Invalid {

  /** Every document parsed and validated; {@code state} is what the tree asks for. */
  record Loaded(DesiredState state) implements LoadResult {}

  /**
   * At least one problem was found. The caller must apply nothing from this revision.
   *
   * @param errors all problems found, sorted by file, then line
   */
  record Invalid(List<LoadError> errors) implements LoadResult {
    public Invalid {
      errors = List.copyOf(errors);
    }
  }
}
