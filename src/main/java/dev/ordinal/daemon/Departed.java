package dev.ordinal.daemon;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The StatefulSets that left the cluster, so that what the daemon records about one stops with its
 * delete. A rollout pass under way when its StatefulSet is deleted still publishes its decision:
 * recorded after the watch forgot the StatefulSet's metric series, it would bring them back, and
 * nothing would forget them again. Recording and forgetting take the same lock, so one happens
 * wholly before the other.
 */
final class Departed {
  /** A key leaves when its StatefulSet comes back, or as the eldest of more than this many. */
  static final int LIMIT = 10_000;

  private final Map<String, Boolean> keys =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > LIMIT;
        }
      };

  /** Marks {@code key} (namespace/name) as gone and runs {@code forget}, both under the lock. */
  synchronized void left(String key, Runnable forget) {
    keys.put(key, Boolean.TRUE);
    forget.run();
  }

  /** {@code key} is in the cluster again (created anew under the same name). */
  synchronized void returned(String key) {
    keys.remove(key);
  }

  /** Runs {@code record} under the lock, unless {@code key} left the cluster. */
  synchronized void unlessLeft(String key, Runnable record) {
    if (!keys.containsKey(key)) {
      record.run();
    }
  }
}
