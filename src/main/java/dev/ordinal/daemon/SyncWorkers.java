package dev.ordinal.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run apps' syncs, apart from the Git poller's: a slow sync delays neither a fetch
 * nor another app's sync. An app is never synced by two workers at once, and requests for an app
 * that arrive while it waits or syncs are coalesced into one more sync (a {@link KeyedWorkQueue}).
 */
final class SyncWorkers implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyncWorkers.class);

  private final KeyedWorkQueue queue = new KeyedWorkQueue();
  private final Map<String, Runnable> jobs = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();

  SyncWorkers(int count) {
    for (int i = 1; i <= count; i++) {
      Thread thread = new Thread(this::work, "ordinal-sync-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** What a request for {@code key} runs. */
  void register(String key, Runnable job) {
    jobs.put(key, job);
  }

  /** Runs the job of {@code key} soon, once however often it is asked for before it starts. */
  void request(String key) {
    queue.add(key);
  }

  private void work() {
    queue.work(
        key -> {
          try {
            Runnable job = jobs.get(key);
            if (job != null) {
              job.run();
            }
          } catch (RuntimeException e) {
            log.error("app={} sync failed unexpectedly", key, e);
          }
        });
  }

  @Override
  public void close() {
    queue.shutdown();
    threads.forEach(Thread::interrupt);
  }
}
