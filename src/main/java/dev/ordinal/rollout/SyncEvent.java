package dev.ordinal.rollout;

import java.util.List;

/** What one sync of an app's Git revision did. */
public sealed interface SyncEvent extends DomainEvent {
  String app();

  String revision();

  /** The sentence for people. */
  String message();

  /** The plan was carried out. */
  record SyncApplied(
      String app, String revision, int created, int updated, int held, int unchanged, int pruned)
      implements SyncEvent {
    @Override
    public String message() {
      return String.format(
          "applied: created %d, updated %d, held for rollout %d, unchanged %d, pruned %d",
          created, updated, held, unchanged, pruned);
    }

    /** Whether the sync created, updated, held or pruned anything. */
    public boolean changed() {
      return created + updated + held + pruned > 0;
    }
  }

  /**
   * One object whose change Kubernetes forbids, and why: what a Kubernetes Event on that object
   * says.
   *
   * @param group the API group, empty for the core group
   */
  record Refusal(String group, String kind, String namespace, String name, String reason) {}

  /** The plan holds a change Kubernetes forbids: nothing was applied. */
  record SyncRefused(String app, String revision, List<Refusal> refusals) implements SyncEvent {
    public SyncRefused {
      refusals = List.copyOf(refusals);
    }

    public List<String> reasons() {
      return refusals.stream().map(Refusal::reason).toList();
    }

    @Override
    public String message() {
      return "refused, nothing applied: " + String.join("; ", reasons());
    }
  }

  /**
   * The revision's manifests failed to load: nothing was applied.
   *
   * @param first the first few errors, {@code file:line: message}
   */
  record SyncInvalid(String app, String revision, int errors, List<String> first)
      implements SyncEvent {
    public SyncInvalid {
      first = List.copyOf(first);
    }

    @Override
    public String message() {
      return errors
          + " manifest error(s), nothing applied; the last good revision stays in force"
          + (first.isEmpty() ? "" : ": " + String.join("; ", first));
    }
  }

  /** The cluster could not be read or written; the sync will be retried. */
  record SyncFailed(String app, String revision, String error) implements SyncEvent {
    @Override
    public String message() {
      return "failed, will retry: " + error;
    }
  }
}
