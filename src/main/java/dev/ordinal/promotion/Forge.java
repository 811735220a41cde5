package dev.ordinal.promotion;

import java.util.List;

/**
 * The forge (GitHub, GitLab, Gitea) as promotions and commit statuses need it: pull requests on one
 * repository and statuses on its commits. Implementations send exactly the documented REST calls,
 * retry a bounded number of times, and never put the token in a message.
 */
public interface Forge {

  /** A pull request as far as Ordinal cares. */
  record PullRequest(
      int number,
      String url,
      String head,
      String base,
      boolean open,
      boolean merged,
      String mergeCommit) {}

  /** The state of a commit status. */
  enum CommitState {
    PENDING,
    SUCCESS,
    FAILURE
  }

  /** The forge's name for people and logs, with the repository: {@code github acme/config}. */
  String describe();

  /**
   * Pull requests into {@code base}: open ones only, or all (closed and merged too); with {@code
   * head} non-null only those from that branch of this repository.
   */
  List<PullRequest> pullRequests(String base, String head, boolean includeClosed)
      throws ForgeException;

  /** Opens a pull request from {@code head} into {@code base}. */
  PullRequest openPullRequest(String head, String base, String title, String body)
      throws ForgeException;

  /** Closes a pull request without merging. */
  void closePullRequest(int number) throws ForgeException;

  /** Sets the status {@code context} of {@code commit}. */
  void setStatus(
      String commit, CommitState state, String context, String description, String targetUrl)
      throws ForgeException;

  /** Pull requests into {@code base} from branches whose name starts with {@code prefix}. */
  default List<PullRequest> openWithHeadPrefix(String base, String prefix) throws ForgeException {
    return pullRequests(base, null, false).stream()
        .filter(pr -> pr.head().startsWith(prefix))
        .toList();
  }
}
