package dev.ordinal.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Several replicas over one store of Leases, each ticked by hand on a clock the test moves: no
 * thread and no sleep, so every interleaving here is the one written down.
 */
class LeasedShardsTest {
  static final LeasedShards.Timing TIMING = LeasedShards.Timing.DEFAULT;

  /** Leases in memory with a version per write, as the API server keeps them. */
  static final class Store implements LeaseStore {
    final Map<String, LeaseRecord> leases = new TreeMap<>();
    long versions;
    boolean down;

    @Override
    public List<LeaseRecord> list(String prefix) {
      failIfDown();
      return leases.values().stream().filter(l -> l.name().startsWith(prefix)).toList();
    }

    @Override
    public boolean create(String name, String holder, Duration duration) {
      failIfDown();
      if (leases.containsKey(name)) {
        return false;
      }
      leases.put(name, new LeaseRecord(name, holder, String.valueOf(++versions)));
      return true;
    }

    @Override
    public boolean update(String name, String version, String holder, Duration duration) {
      failIfDown();
      LeaseRecord lease = leases.get(name);
      if (lease == null || !lease.version().equals(version)) {
        return false;
      }
      leases.put(name, new LeaseRecord(name, holder, String.valueOf(++versions)));
      return true;
    }

    private void failIfDown() {
      if (down) {
        throw new IllegalStateException("connection refused");
      }
    }
  }

  /** A store one replica reaches; {@code cut} makes it unreachable for that replica alone. */
  static final class Link implements LeaseStore {
    final Store store;
    boolean cut;

    Link(Store store) {
      this.store = store;
    }

    private void check() {
      if (cut) {
        throw new IllegalStateException("no route to the API server");
      }
    }

    @Override
    public List<LeaseRecord> list(String prefix) {
      check();
      return store.list(prefix);
    }

    @Override
    public boolean create(String name, String holder, Duration duration) {
      check();
      return store.create(name, holder, duration);
    }

    @Override
    public boolean update(String name, String version, String holder, Duration duration) {
      check();
      return store.update(name, version, holder, duration);
    }
  }

  final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
  final Store store = new Store();
  final List<String> told = new ArrayList<>();

  private LeasedShards replica(String name, Link link, int shards) {
    LeasedShards r = new LeasedShards(link, name, shards, TIMING, clock);
    r.listen(
        new Ownership.Listener() {
          @Override
          public void acquired(int shard) {
            told.add(name + "+" + shard);
          }

          @Override
          public void lost(int shard) {
            told.add(name + "-" + shard);
          }
        });
    return r;
  }

  private void round(List<LeasedShards> replicas) {
    for (LeasedShards r : replicas) {
      r.tickQuietly();
    }
    clock.advance(TIMING.retryPeriod());
  }

  private static void assertDisjointAndComplete(List<LeasedShards> replicas, int shards) {
    Set<Integer> all = new HashSet<>();
    for (LeasedShards r : replicas) {
      for (int s : r.held()) {
        assertTrue(all.add(s), "shard " + s + " held twice");
      }
    }
    assertEquals(shards, all.size(), "every shard held: " + all);
  }

  @Test
  void threeReplicasSplitSixShardsTwoEachAndNoShardIsHeldTwice() {
    List<LeasedShards> replicas =
        List.of(
            replica("a", new Link(store), 6),
            replica("b", new Link(store), 6),
            replica("c", new Link(store), 6));
    for (int i = 0; i < 6; i++) {
      round(replicas);
      // Never two holders at once, even while the first replica to look gives shards back.
      Set<Integer> seen = new HashSet<>();
      for (LeasedShards r : replicas) {
        for (int s : r.held()) {
          assertTrue(seen.add(s), "round " + i + ": shard " + s + " held twice");
        }
      }
    }
    assertDisjointAndComplete(replicas, 6);
    for (LeasedShards r : replicas) {
      assertEquals(2, r.held().size(), "the fair share of 6 among 3: " + r.held());
    }
  }

  @Test
  void aDeadReplicasShardsMoveAfterTheLeaseDurationAndNotBefore() {
    Link deadLink = new Link(store);
    LeasedShards a = replica("a", new Link(store), 4);
    LeasedShards dead = replica("dead", deadLink, 4);
    List<LeasedShards> both = List.of(a, dead);
    for (int i = 0; i < 5; i++) {
      round(both);
    }
    assertDisjointAndComplete(both, 4);
    Set<Integer> orphaned = new TreeSet<>(dead.held());
    assertEquals(2, orphaned.size());

    deadLink.cut = true; // killed: it neither renews nor releases
    Duration waited = Duration.ZERO;
    while (!a.held().containsAll(orphaned)) {
      round(List.of(a, dead));
      waited = waited.plus(TIMING.retryPeriod());
      assertTrue(
          waited.compareTo(TIMING.leaseDuration().plus(TIMING.retryPeriod().multipliedBy(3))) <= 0,
          "taken over within the lease duration and a few retries, waited " + waited);
      if (waited.compareTo(TIMING.leaseDuration().minus(TIMING.retryPeriod())) < 0) {
        for (int s : orphaned) {
          assertFalse(a.holds(s), "shard " + s + " taken while its lease still ran");
        }
      }
    }
    assertEquals(Set.of(0, 1, 2, 3), a.held());
    assertTrue(dead.held().isEmpty(), "the cut-off replica stopped at its renew deadline");
  }

  @Test
  void aReplicaCutOffStopsWritingBeforeAnyoneElseMayStart() {
    Link link = new Link(store);
    LeasedShards a = replica("a", link, 1);
    round(List.of(a));
    round(List.of(a));
    assertTrue(a.holds(0));
    Instant lastRenewal = clock.instant().minus(TIMING.retryPeriod());
    link.cut = true;
    while (a.holds(0)) {
      clock.advance(Duration.ofMillis(500));
    }
    Duration stopped = Duration.between(lastRenewal, clock.instant());
    assertTrue(
        stopped.compareTo(TIMING.leaseDuration()) < 0,
        "stopped " + stopped + " after its last renewal, before the lease ran out");
  }

  @Test
  void aNewReplicaGetsItsShareFromAReplicaThatHadThemAll() {
    LeasedShards a = replica("a", new Link(store), 4);
    for (int i = 0; i < 3; i++) {
      round(List.of(a));
    }
    assertEquals(Set.of(0, 1, 2, 3), a.held());
    LeasedShards b = replica("b", new Link(store), 4);
    List<LeasedShards> both = List.of(a, b);
    for (int i = 0; i < 4; i++) {
      round(both);
    }
    assertDisjointAndComplete(both, 4);
    assertEquals(2, a.held().size());
    assertEquals(2, b.held().size());
    assertTrue(told.contains("a-2") || told.contains("a-3"), "a was told what it gave up: " + told);
  }

  @Test
  void closingReleasesSoTheOthersTakeOverWithoutWaiting() {
    LeasedShards a = replica("a", new Link(store), 2);
    LeasedShards b = replica("b", new Link(store), 2);
    for (int i = 0; i < 4; i++) {
      round(List.of(a, b));
    }
    assertEquals(1, a.held().size());
    a.close();
    assertTrue(told.stream().anyMatch(t -> t.startsWith("a-")), told.toString());
    round(List.of(b));
    round(List.of(b));
    assertEquals(Set.of(0, 1), b.held(), "taken within two retry periods, not a lease duration");
  }
}
