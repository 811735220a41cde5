package dev.ordinal.sim;

import dev.ordinal.shard.LeaseRecord;
import dev.ordinal.shard.LeaseStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Leases in memory, each write a new version, as the API server's optimistic concurrency has it.
 */
final class SimLeaseStore implements LeaseStore {
  private final Map<String, LeaseRecord> leases = new TreeMap<>();
  private long versions;

  @Override
  public synchronized List<LeaseRecord> list(String prefix) {
    return leases.values().stream().filter(l -> l.name().startsWith(prefix)).toList();
  }

  @Override
  public synchronized boolean create(String name, String holder, Duration duration) {
    if (leases.containsKey(name)) {
      return false;
    }
    leases.put(name, new LeaseRecord(name, holder, String.valueOf(++versions)));
    return true;
  }

  @Override
  public synchronized boolean update(
      String name, String version, String holder, Duration duration) {
    LeaseRecord lease = leases.get(name);
    if (lease == null || !lease.version().equals(version)) {
      return false;
    }
    leases.put(name, new LeaseRecord(name, holder, String.valueOf(++versions)));
    return true;
  }

  @Override
  public synchronized boolean delete(String name, String version) {
    LeaseRecord lease = leases.get(name);
    if (lease == null || !lease.version().equals(version)) {
      return false;
    }
    leases.remove(name);
    return true;
  }
}
