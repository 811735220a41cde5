package dev.ordinal.manifest;

import java.util.ArrayList;
import java.util.List;

/** Outcome of loading a {@link SourceTree}: either every file was valid, or nothing is. */
public sealed interface LoadResult permits LoadResult.Loaded, LoadResult.Invalid {

  /** Problems that do not make the tree invalid, sorted by file, then line. */
  List<LoadError> notes();

  /** Every problem, errors and notes, in {@link LoadError#BY_PLACE} order. */
  default List<LoadError> problems() {
    List<LoadError> all = new ArrayList<>(notes());
    if (this instanceof Invalid invalid) {
      all.addAll(invalid.errors());
    }
    all.sort(LoadError.BY_PLACE);
    return all;
  }

  /**
   * Every document parsed and validated; {@code state} is what the tree asks for.
   *
   * @param notes what the loader could not check or wants the author to know
   */
  record Loaded(DesiredState state, List<LoadError> notes) implements LoadResult {
    public Loaded {
      notes = List.copyOf(notes);
    }

    public Loaded(DesiredState state) {
      this(state, List.of());
    }
  }

  /**
   * At least one problem was found. The caller must apply nothing from this revision.
   *
   * @param errors all errors found, sorted by file, then line
   * @param notes the notes found beside them
   * @param duplicates the objects defined twice, each also among the errors: where two folders
   *     define the same objects, they are usually environments to load one at a time
   */
  record Invalid(List<LoadError> errors, List<LoadError> notes, List<Duplicate> duplicates)
      implements LoadResult {
    public Invalid {
      errors = List.copyOf(errors);
      notes = List.copyOf(notes);
      duplicates = List.copyOf(duplicates);
    }

    public Invalid(List<LoadError> errors, List<LoadError> notes) {
      this(errors, notes, List.of());
    }

    public Invalid(List<LoadError> errors) {
      this(errors, List.of());
    }
  }

  /** An object, RolloutPolicy or AnalysisTemplate defined {@code again} after {@code first}. */
  record Duplicate(SourceLocation first, SourceLocation again) {}
}
