package dev.ordinal.notify;

import java.time.Instant;
import java.util.List;

/**
 * One thing about a rollout that people are told: what happened, to which StatefulSet, from which
 * app and commit, at which step, and for a rollback the analysis that decided it. Built from a
 * published decision by {@link Notifications}; rendered as Slack or generic JSON by {@link
 * Formats}. Holds no URL, query or credential.
 */
public record Notification(
    Kind kind,
    Instant at,
    String namespace,
    String statefulSet,
    String app,
    String commit,
    String stable,
    String target,
    int step,
    int steps,
    String reason,
    String message,
    List<Finding> analysis) {

  public Notification {
    analysis = List.copyOf(analysis);
  }

  /** What a notification is about. */
  public enum Kind {
    ROLLOUT_STARTED("rollout started"),
    STEP_PASSED("step passed"),
    PAUSED("paused for a human"),
    ROLLED_BACK("rolling back"),
    COMPLETED("rollout completed");

    private final String title;

    Kind(String title) {
      this.title = title;
    }

    public String title() {
      return title;
    }
  }

  /**
   * A metric that decided a rollback: what it measured, what its condition wanted and the limit it
   * crossed.
   *
   * @param values the last measured values, oldest first, as Prometheus returned them
   * @param limit which limit decided and with which counts
   */
  public record Finding(
      String template,
      String metric,
      String phase,
      List<String> values,
      String condition,
      String limit) {
    public Finding {
      values = List.copyOf(values);
    }
  }
}
