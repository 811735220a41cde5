package dev.ordinal.daemon;

import dev.ordinal.git.RepoUrl;
import dev.ordinal.rollout.RecreateEvent;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.SyncEvent;

/**
 * Posts a Kubernetes Event for every rollout decision but a wait, on the StatefulSet, rendered from
 * the typed event: its reason, type and message. A refused commit gets a Warning on each object
 * whose change Kubernetes forbids; an invalid commit, which concerns the app rather than one
 * object, gets a Warning on the app's destination Namespace (so {@code kubectl events -n NS} shows
 * it), as does a sync that changed something (Normal {@code Synced}) or failed (Warning {@code
 * SyncFailed}). Repeats are aggregated by the cluster port ({@link EventSeries}).
 */
final class KubernetesEventRecorder implements EventBus.Subscriber {
  private final ClusterEvents events;

  KubernetesEventRecorder(ClusterEvents events) {
    this.events = events;
  }

  @Override
  public void on(EventBus.Occurrence o) {
    if (o.event() instanceof SyncEvent sync) {
      sync(o, sync);
      return;
    }
    if (o.event() instanceof RecreateEvent recreate) {
      // On the StatefulSet by name: during a recreate it may be gone, and the Event is still
      // listed by kubectl describe of the one created after it.
      if (recreate.step() != RecreateEvent.Step.WAITING) {
        events.post(
            new ClusterEvents.Involved("StatefulSet", o.namespace(), o.name(), null),
            recreate.warning() ? ClusterEvents.Type.WARNING : ClusterEvents.Type.NORMAL,
            recreate.step().reason(),
            recreate.message());
      }
      return;
    }
    if (!(o.event() instanceof RolloutEvent event) || event instanceof RolloutEvent.Waiting) {
      return;
    }
    events.post(
        new ClusterEvents.Involved("StatefulSet", o.namespace(), o.name(), o.uid()),
        event.type() == RolloutEvent.Type.WARNING
            ? ClusterEvents.Type.WARNING
            : ClusterEvents.Type.NORMAL,
        event.reason(),
        event.message());
  }

  /** For a sync, {@code o.namespace()} is the app's destination and {@code o.name()} the app. */
  private void sync(EventBus.Occurrence o, SyncEvent sync) {
    String commit = "app " + sync.app() + " commit " + abbreviated(sync.revision()) + ": ";
    if (sync instanceof SyncEvent.SyncRefused refused) {
      for (SyncEvent.Refusal r : refused.refusals()) {
        boolean namespaced = r.namespace() != null && !r.namespace().isEmpty();
        events.post(
            namespaced
                ? new ClusterEvents.Involved(r.kind(), r.namespace(), r.name(), null)
                : namespaceOf(o),
            ClusterEvents.Type.WARNING,
            "SyncRefused",
            commit + "refused, nothing applied: " + r.reason());
      }
    } else if (sync instanceof SyncEvent.SyncInvalid invalid) {
      events.post(
          namespaceOf(o), ClusterEvents.Type.WARNING, "SyncInvalid", commit + invalid.message());
    } else if (sync instanceof SyncEvent.SyncApplied applied && applied.changed()) {
      // only a sync that changed something: an idle resync every few minutes is not news
      events.post(namespaceOf(o), ClusterEvents.Type.NORMAL, "Synced", commit + applied.message());
    } else if (sync instanceof SyncEvent.SyncFailed failed) {
      // the error may quote an address from the config; its user-info never reaches an Event
      events.post(
          namespaceOf(o),
          ClusterEvents.Type.WARNING,
          "SyncFailed",
          commit + RepoUrl.redactText(failed.message()));
    }
  }

  private static ClusterEvents.Involved namespaceOf(EventBus.Occurrence o) {
    return new ClusterEvents.Involved("Namespace", o.namespace(), o.namespace(), null);
  }

  private static String abbreviated(String revision) {
    return revision.length() > 12 ? revision.substring(0, 12) : revision;
  }
}
