package dev.ordinal.git;

import dev.ordinal.manifest.SourceTree;
import java.util.Optional;

/** The outcome of one {@link GitSource#poll()}. */
public sealed interface PollResult {

  /** The tracked ref still points at the commit listed last time; nothing was re-read. */
  record Unchanged(String commitId) implements PollResult {}

  /** The tracked ref moved (or this is the first poll): here is the listing at the new commit. */
  record Changed(String commitId, SourceTree tree) implements PollResult {}

  /**
   * The poll failed. The caller keeps applying {@code lastGoodCommitId}, if any.
   *
   * @param error what went wrong and what to do, without credentials
   */
  record Failed(String error, Optional<String> lastGoodCommitId) implements PollResult {}
}
