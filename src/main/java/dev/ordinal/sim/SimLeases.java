package dev.ordinal.sim;

import dev.ordinal.daemon.Leadership;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Leases in memory: the first instance to campaign for a lease holds it until it closes, then the
 * longest waiting one takes over at once.
 */
final class SimLeases {
  private final Map<String, Lease> holders = new HashMap<>();
  private final Map<String, LinkedHashMap<String, Lease>> waiting = new HashMap<>();

  Leadership lease(String name, String identity) {
    return new Lease(name, identity);
  }

  private final class Lease implements Leadership {
    private final String name;
    private final String identity;
    private volatile boolean leading;
    private Runnable onStart = () -> {};
    private Runnable onStop = () -> {};

    Lease(String name, String identity) {
      this.name = name;
      this.identity = identity;
    }

    @Override
    public void start(Runnable onStart, Runnable onStop) {
      this.onStart = onStart;
      this.onStop = onStop;
      boolean won;
      synchronized (SimLeases.this) {
        won = !holders.containsKey(name);
        if (won) {
          holders.put(name, this);
          leading = true;
        } else {
          waiting.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(identity, this);
        }
      }
      if (won) {
        onStart.run();
      }
    }

    @Override
    public boolean isLeading() {
      return leading;
    }

    @Override
    public String identity() {
      return identity;
    }

    @Override
    public void close() {
      Lease next = null;
      boolean was;
      synchronized (SimLeases.this) {
        was = leading;
        leading = false;
        LinkedHashMap<String, Lease> queue = waiting.getOrDefault(name, new LinkedHashMap<>());
        queue.remove(identity);
        if (was) {
          holders.remove(name);
          if (!queue.isEmpty()) {
            next = queue.remove(queue.keySet().iterator().next());
            holders.put(name, next);
            next.leading = true;
          }
        }
      }
      if (was) {
        onStop.run();
      }
      if (next != null) {
        next.onStart.run();
      }
    }
  }
}
