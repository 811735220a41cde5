package dev.ordinal.rollout;

import java.util.Locale;

/**
 * One step of a recreate ({@link RecreateDecisions}), as data: the Kubernetes Event on the
 * StatefulSet, the log line and the metrics render it.
 *
 * @param claim the claim a {@link Step#CLAIM_PATCHED} concerns; empty otherwise
 */
public record RecreateEvent(
    String namespace, String statefulSet, String commit, Step step, String claim, String message)
    implements DomainEvent {

  /** The steps a recreate reports. */
  public enum Step {
    STARTED,
    BACKUP_REQUESTED,
    BACKUP_READY,
    CLAIM_PATCHED,
    CLAIMS_GROWN,
    POD_RELABELLED,
    ORPHANED,
    CREATED,
    PODS_RESTARTED,
    FINISHED,
    FAILED,
    REFUSED,
    WAITING;

    /** {@code claim_patched}: the metric label. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** {@code RecreateClaimPatched}: the Kubernetes Event reason. */
    public String reason() {
      StringBuilder out = new StringBuilder("Recreate");
      for (String word : name().split("_")) {
        out.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
      }
      return out.toString();
    }
  }

  public RecreateEvent {
    claim = claim == null ? "" : claim;
  }

  /** Failures and refusals are warnings; every other step is normal. */
  public boolean warning() {
    return step == Step.FAILED || step == Step.REFUSED;
  }
}
