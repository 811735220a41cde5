package dev.ordinal.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.LogCapture;
import dev.ordinal.testkit.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Several replicas over one store of Leases, each ticked by hand on a clock the test moves: no
 * thread and no sleep, so every interleaving here is the one written down.
 */
class LeasedShardsTest {
  static final LeaseTiming TIMING = LeaseTiming.DEFAULT;

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

    @Override
    public boolean delete(String name, String version) {
      failIfDown();
      LeaseRecord lease = leases.get(name);
      if (lease == null || !lease.version().equals(version)) {
        return false;
      }
      leases.remove(name);
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

    @Override
    public boolean delete(String name, String version) {
      check();
      return store.delete(name, version);
    }
  }

  final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
  final Store store = new Store();
  final List<String> told = new CopyOnWriteArrayList<>();

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
  void aReplicaCutOffStopsWritingBeforeAnyoneElseStartsAndNoShardIsEverHeldTwice() {
    Link cutLink = new Link(store);
    LeasedShards a = replica("a", cutLink, 2);
    LeasedShards b = replica("b", new Link(store), 2);
    for (int i = 0; i < 4; i++) {
      round(List.of(a, b));
    }
    assertDisjointAndComplete(List.of(a, b), 2);
    int shardOfA = a.held().first();
    cutLink.cut = true;
    // Half-second steps, both replicas ticking every retry period: at no instant do both hold a
    // shard, and b takes a's shard only after a has stopped.
    boolean aStopped = false;
    for (int step = 0; step < 80 && !b.holds(shardOfA); step++) {
      clock.advance(Duration.ofMillis(500));
      if (step % 4 == 3) {
        a.tickQuietly();
        b.tickQuietly();
      }
      for (int s = 0; s < 2; s++) {
        assertFalse(a.holds(s) && b.holds(s), "shard " + s + " held by both at step " + step);
      }
      aStopped |= !a.holds(shardOfA);
      assertTrue(aStopped || !b.holds(shardOfA), "b started before a stopped");
    }
    assertTrue(b.holds(shardOfA), "the survivor took the cut-off replica's shard");
  }

  @Test
  void aReplicaOverItsShareStopsAtOnceAndItsShardsMoveWhenTheirLeasesRunOut() {
    LeasedShards a = replica("a", new Link(store), 4);
    for (int i = 0; i < 3; i++) {
      round(List.of(a));
    }
    assertEquals(Set.of(0, 1, 2, 3), a.held());
    LeasedShards b = replica("b", new Link(store), 4);
    List<LeasedShards> both = List.of(a, b);
    round(both);
    round(both);
    assertEquals(2, a.held().size(), "a stopped acting for the shards over its share at once");
    for (int i = 0; i < 12 && b.held().size() < 2; i++) {
      round(both);
    }
    assertDisjointAndComplete(both, 4);
    assertEquals(2, b.held().size(), "b took them once their Leases ran out");
  }

  @Test
  void aDeadReplicasMemberLeaseIsDeletedOnceLongUnrenewedAndARestartMakesItAgain() {
    Link deadLink = new Link(store);
    LeasedShards a = replica("a", new Link(store), 2);
    LeasedShards dead = replica("dead", deadLink, 2);
    for (int i = 0; i < 5; i++) {
      round(List.of(a, dead));
    }
    String member = ShardDecisions.memberLease("dead");
    assertTrue(store.leases.containsKey(member));

    deadLink.cut = true;
    Duration forgetAfter =
        TIMING.leaseDuration().multipliedBy(ShardDecisions.FORGET_AFTER_LEASE_DURATIONS);
    Duration waited = Duration.ZERO;
    while (store.leases.containsKey(member)) {
      round(List.of(a, dead));
      waited = waited.plus(TIMING.retryPeriod());
      assertTrue(
          waited.compareTo(forgetAfter.plus(TIMING.retryPeriod().multipliedBy(2))) <= 0,
          "deleted soon after it was unrenewed for " + forgetAfter + ", waited " + waited);
    }
    assertTrue(
        waited.compareTo(forgetAfter.minus(TIMING.retryPeriod())) >= 0,
        "not deleted before, waited " + waited);
    assertEquals(Set.of(0, 1), a.held());

    // The same identity back (a replica that was only cut off): its Lease is made again.
    deadLink.cut = false;
    round(List.of(a, dead));
    assertTrue(store.leases.containsKey(member));
    // It counts again, so the shards split as between any two replicas.
    Duration handover = TIMING.leaseDuration().plus(TIMING.retryPeriod().multipliedBy(3));
    for (Duration d = Duration.ZERO; d.compareTo(handover) < 0; d = d.plus(TIMING.retryPeriod())) {
      round(List.of(a, dead));
    }
    assertDisjointAndComplete(List.of(a, dead), 2);
    assertEquals(1, dead.held().size(), "its fair share again: " + dead.held());
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

  @Test
  void anOutageIsLoggedWhenItStartsAndWhenItEndsNotOnEveryRetry() {
    Link link = new Link(store);
    LeasedShards a = replica("a", link, 2);
    try (LogCapture log = new LogCapture(LeasedShards.class)) {
      a.tickQuietly();
      link.cut = true;
      for (int i = 0; i < 5; i++) {
        clock.advance(TIMING.retryPeriod());
        a.tickQuietly();
      }
      link.cut = false;
      a.tickQuietly();
      a.tickQuietly();
      assertEquals(
          List.of(
              "WARN a: reading or writing shard leases failed:"
                  + " java.lang.IllegalStateException: no route to the API server",
              "INFO a: shard leases are read and written again"),
          log.lines().stream().filter(l -> l.contains("shard leases")).toList());
    }
  }
}
