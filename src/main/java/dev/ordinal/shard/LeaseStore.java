package dev.ordinal.shard;

import java.time.Duration;
import java.util.List;

/** The port to the Leases in Ordinal's namespace that shards and replicas are counted by. */
public interface LeaseStore {
  /** The Leases whose name starts with {@code prefix}. */
  List<LeaseRecord> list(String prefix);

  /**
   * Creates a Lease held by {@code holder}.
   *
   * @return false when a Lease of that name exists already (someone else was first)
   */
  boolean create(String name, String holder, Duration duration);

  /**
   * Renews the Lease for {@code holder}, or releases it when the holder is empty, only if it is
   * still at {@code version}.
   *
   * @return false when it moved on or is gone (someone else renewed or took it)
   */
  boolean update(String name, String version, String holder, Duration duration);

  /**
   * Deletes the Lease only if it is still at {@code version}.
   *
   * @return false when it moved on or is gone already
   */
  boolean delete(String name, String version);
}
