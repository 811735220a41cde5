package dev.ordinal.daemon;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * A work queue of keys in the style of client-go's: a key is queued at most once however many
 * events arrive for it (coalescing), and it is never handed to two workers at once; a key added
 * while it is being processed is queued again when the worker is done.
 */
final class KeyedWorkQueue {
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final Set<String> dirty = new HashSet<>();
  private final Set<String> processing = new HashSet<>();

  /** When each dirty key was first added since it was last taken (for the latency metric). */
  private final Map<String, Long> addedAt = new HashMap<>();

  private DoubleConsumer latency = seconds -> {};
  private boolean shutdown;

  /** Told, in seconds, how long each key waited from its first add to a worker taking it. */
  synchronized void onLatency(DoubleConsumer latency) {
    this.latency = latency;
  }

  synchronized void add(String key) {
    if (shutdown || !dirty.add(key)) {
      return;
    }
    addedAt.put(key, System.nanoTime());
    if (!processing.contains(key)) {
      queue.add(key);
      notify();
    }
  }

  /** The next key, marked as processing; null once shut down. */
  synchronized String take() throws InterruptedException {
    while (queue.isEmpty() && !shutdown) {
      wait();
    }
    if (shutdown) {
      return null;
    }
    String key = queue.poll();
    dirty.remove(key);
    processing.add(key);
    Long added = addedAt.remove(key);
    if (added != null) {
      latency.accept((System.nanoTime() - added) / 1e9);
    }
    return key;
  }

  synchronized void done(String key) {
    processing.remove(key);
    if (dirty.contains(key) && !shutdown) {
      queue.add(key);
      notify();
    }
  }

  /**
   * Hands keys to {@code handler} one at a time on the calling thread, each marked done after it,
   * until the queue is shut down or the thread interrupted.
   */
  void work(Consumer<String> handler) {
    while (true) {
      String key;
      try {
        key = take();
      } catch (InterruptedException e) {
        return;
      }
      if (key == null) {
        return;
      }
      try {
        handler.accept(key);
      } finally {
        done(key);
      }
    }
  }

  synchronized void shutdown() {
    shutdown = true;
    notifyAll();
  }

  synchronized int size() {
    return queue.size();
  }
}
