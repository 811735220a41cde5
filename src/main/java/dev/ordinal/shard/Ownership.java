package dev.ordinal.shard;

import java.util.SortedSet;

/**
 * Which shards of the work this replica owns now: only the owner of a shard writes for the apps and
 * StatefulSets in it. One shard held by the leader is how a single replica, or a leader with hot
 * standbys, works.
 */
public interface Ownership extends AutoCloseable {
  /** Told on the owner's thread; keep it short. */
  interface Listener {
    void acquired(int shard);

    void lost(int shard);
  }

  int shards();

  /** Whether this replica may write for {@code shard} now. */
  boolean holds(int shard);

  /** Whether this replica may write for the app or StatefulSet {@code key} now. */
  default boolean holdsKey(String key) {
    return holds(ShardOf.key(key, shards()));
  }

  SortedSet<Integer> held();

  /** Starts taking shards; returns at once. */
  void start(Listener listener);

  /** Gives up every shard held. */
  @Override
  void close();
}
