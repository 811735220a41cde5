package dev.ordinal.git;

/** Something {@link GitPoller} can poll: a {@link GitSource}, or a fake in tests. */
public interface PollTarget {
  /** The repository URL, matched against webhook triggers via {@link RepoUrl#matchKey}. */
  String repoUrl();

  /** Polls once; must not throw. */
  PollResult poll();
}
