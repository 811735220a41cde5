package dev.ordinal.daemon;

import dev.ordinal.shard.Ownership;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One shard, held by the leader: the default, where one replica does all the work and any others
 * stand by.
 */
final class LeaderOwnership implements Ownership {
  private final Leadership leadership;

  LeaderOwnership(Leadership leadership) {
    this.leadership = leadership;
  }

  @Override
  public int shards() {
    return 1;
  }

  @Override
  public boolean holds(int shard) {
    return shard == 0 && leadership.isLeading();
  }

  @Override
  public SortedSet<Integer> held() {
    return leadership.isLeading()
        ? Collections.unmodifiableSortedSet(new TreeSet<>(List.of(0)))
        : Collections.emptySortedSet();
  }

  @Override
  public void start(Listener listener) {
    leadership.start(() -> listener.acquired(0), () -> listener.lost(0));
  }

  @Override
  public void close() {
    leadership.close();
  }
}
