package dev.ordinal.daemon;

import dev.ordinal.rollout.DomainEvent;
import dev.ordinal.rollout.RolloutState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where decisions are published once their write succeeded: the decision log, Kubernetes Events,
 * metrics and the status page subscribe. Subscribers run on the publishing thread, in order; one
 * that throws is logged and skipped, never allowed to stop a rollout.
 */
public final class EventBus {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);

  /**
   * One event with what it concerns: a StatefulSet ({@code namespace/name}, its {@code uid}) for a
   * rollout event, an app ({@code namespace} its destination, {@code name} the app) for a sync.
   *
   * @param action the kind of action that carried the event out (SetPartition, Wait, ...), or the
   *     sync's outcome
   * @param state the rollout state after the action, for rollout events
   */
  public record Occurrence(
      Instant at,
      String namespace,
      String name,
      String uid,
      String action,
      DomainEvent event,
      Optional<RolloutState> state) {
    public String key() {
      return namespace + "/" + name;
    }
  }

  /** Told about every occurrence. */
  @FunctionalInterface
  public interface Subscriber {
    void on(Occurrence occurrence);
  }

  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

  /** A bus with the decision log and Kubernetes Events subscribed, as the daemon runs it. */
  public static EventBus standard(ClusterEvents events) {
    EventBus bus = new EventBus();
    bus.subscribe(new DecisionLog());
    bus.subscribe(new KubernetesEventRecorder(events));
    return bus;
  }

  public EventBus subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
    return this;
  }

  public void publish(Occurrence occurrence) {
    for (Subscriber s : subscribers) {
      try {
        s.on(occurrence);
      } catch (RuntimeException e) {
        log.warn("event subscriber {} failed on {}: {}", s, occurrence.event(), e.toString());
      }
    }
  }
}
