package dev.ordinal.daemon;

import dev.ordinal.rollout.RolloutEvent;

/**
 * Posts a Kubernetes Event on the StatefulSet for every rollout decision but a wait, rendered from
 * the typed event: its reason, type and message.
 */
final class KubernetesEventRecorder implements EventBus.Subscriber {
  private final ClusterEvents events;

  KubernetesEventRecorder(ClusterEvents events) {
    this.events = events;
  }

  @Override
  public void on(EventBus.Occurrence o) {
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
}
