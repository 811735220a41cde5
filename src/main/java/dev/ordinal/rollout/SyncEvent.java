package dev.ordinal.rollout;

import java.util.List;

/** What one sync of an app's Git revision did. */
public sealed interface SyncEvent extends DomainEvent {
  String app();

  String revision();

  /** The plan was carried out. */
  record SyncApplied(
      String app, String revision, int created, int updated, int held, int unchanged, int pruned)
      implements SyncEvent {}

  /** The plan holds a change Kubernetes forbids: nothing was applied. */
  record SyncRefused(String app, String revision, List<String> reasons) implements SyncEvent {}

  /** The revision's manifests failed to load: nothing was applied. */
  record SyncInvalid(String app, String revision, int errors) implements SyncEvent {}

  /** The cluster could not be read or written; the sync will be retried. */
  record SyncFailed(String app, String revision, String error) implements SyncEvent {}
}
