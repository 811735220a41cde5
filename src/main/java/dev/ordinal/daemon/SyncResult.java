package dev.ordinal.daemon;

import dev.ordinal.manifest.LoadError;
import dev.ordinal.plan.Plan;
import dev.ordinal.rollout.SyncEvent;
import java.util.List;

/** What one sync of an app did. Only {@link Applied} changed the cluster. */
public sealed interface SyncResult {
  String revision();

  /**
   * The plan was carried out (possibly with nothing to do).
   *
   * @param partial a StatefulSet was left alone because a restore holds it; the rest was applied
   */
  record Applied(
      String revision,
      int created,
      int updated,
      int held,
      int unchanged,
      int pruned,
      boolean partial)
      implements SyncResult {
    public Applied(String revision, int created, int updated, int held, int unchanged, int pruned) {
      this(revision, created, updated, held, unchanged, pruned, false);
    }

    public boolean changedAnything() {
      return created + updated + held + pruned > 0;
    }
  }

  /** Planned on a standby, which writes nothing: the leader applies. */
  record Standby(String revision, Plan.Counts planned) implements SyncResult {}

  /** The revision's manifests failed to load; nothing was applied. */
  record Invalid(String revision, List<LoadError> errors) implements SyncResult {}

  /** The plan holds changes Kubernetes forbids; nothing was applied. */
  record Refused(String revision, List<SyncEvent.Refusal> refusals) implements SyncResult {
    public Refused {
      refusals = List.copyOf(refusals);
    }

    public List<String> reasons() {
      return refusals.stream().map(SyncEvent.Refusal::reason).toList();
    }
  }

  /**
   * The cluster could not be read or written; the sync may have been partial and will be retried.
   *
   * @param conflict the API server answered 409: an object changed between the plan and its apply,
   *     so the plan is stale and must be made again from fresh state
   */
  record Failed(String revision, String error, boolean conflict) implements SyncResult {
    public Failed(String revision, String error) {
      this(revision, error, false);
    }
  }

  default String result() {
    if (this instanceof Applied a) {
      return a.changedAnything() ? "applied" : "unchanged";
    }
    if (this instanceof Invalid) {
      return "invalid";
    }
    if (this instanceof Standby) {
      return "standby";
    }
    return this instanceof Refused ? "refused" : "error";
  }
}
