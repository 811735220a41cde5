package dev.ordinal.web;

import dev.ordinal.rollout.DomainEvent;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.SyncEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent decisions about each StatefulSet and each app, as this Ordinal published them: the
 * timeline the status page shows. Waits are left out (they repeat on every recheck); each list
 * keeps the last {@value #KEEP}, so memory is bounded by the number of StatefulSets and apps.
 */
public final class DecisionHistory {
  static final int KEEP = 40;

  /**
   * One decision as the page shows it.
   *
   * @param step the step it was decided at, as the state then said ({@code 2/5}, {@code full}), or
   *     empty
   */
  public record Decision(
      Instant at, String action, String reason, String type, String message, String step) {}

  private final Map<String, Deque<Decision>> rollouts = new ConcurrentHashMap<>();
  private final Map<String, Deque<Decision>> apps = new ConcurrentHashMap<>();

  /** Records one published decision; a rollout's under {@code namespace/name}, a sync's by app. */
  public void record(
      Instant at,
      String namespace,
      String name,
      String action,
      DomainEvent event,
      Optional<RolloutState> state) {
    if (event instanceof RolloutEvent rollout) {
      if (rollout instanceof RolloutEvent.Waiting) {
        return;
      }
      add(
          rollouts,
          namespace + "/" + name,
          new Decision(
              at,
              action,
              rollout.reason(),
              rollout.type().displayName(),
              rollout.message(),
              state.map(DecisionHistory::step).orElse("")));
    } else if (event instanceof SyncEvent sync) {
      add(
          apps,
          sync.app(),
          new Decision(
              at,
              action,
              sync.getClass().getSimpleName(),
              sync instanceof SyncEvent.SyncApplied ? "Normal" : "Warning",
              sync.message(),
              ""));
    }
  }

  /** Newest first. */
  public List<Decision> rollout(String key) {
    return newestFirst(rollouts.get(key));
  }

  /** Newest first. */
  public List<Decision> app(String app) {
    return newestFirst(apps.get(app));
  }

  private static void add(Map<String, Deque<Decision>> into, String key, Decision d) {
    Deque<Decision> list = into.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (list) {
      list.addLast(d);
      while (list.size() > KEEP) {
        list.removeFirst();
      }
    }
  }

  private static List<Decision> newestFirst(Deque<Decision> list) {
    if (list == null) {
      return List.of();
    }
    List<Decision> copy;
    synchronized (list) {
      copy = new ArrayList<>(list);
    }
    Collections.reverse(copy);
    return copy;
  }

  private static String step(RolloutState s) {
    if (s.stepCount() > 0 && s.stepIndex() >= s.stepCount()) {
      return "full";
    }
    return (s.stepIndex() + 1) + "/" + (s.stepCount() > 0 ? s.stepCount() : "?");
  }
}
