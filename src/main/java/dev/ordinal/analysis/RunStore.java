package dev.ordinal.analysis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where run records survive a restart, so a restarted Ordinal continues a run (its counts, recent
 * measurements and next measurement time) instead of starting the analysis over. {@link RunRecords}
 * turns a record into JSON for stores that keep text, such as an annotation.
 */
public interface RunStore {
  void save(RunRecord record);

  List<RunRecord> loadAll();

  void remove(String runId);

  /** Keeps records in memory: for tests, and for a daemon that need not survive restarts. */
  final class InMemory implements RunStore {
    private final Map<String, RunRecord> records = new ConcurrentHashMap<>();

    @Override
    public void save(RunRecord record) {
      records.put(record.runId(), record);
    }

    @Override
    public List<RunRecord> loadAll() {
      return List.copyOf(records.values());
    }

    @Override
    public void remove(String runId) {
      records.remove(runId);
    }
  }
}
