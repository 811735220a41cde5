package dev.ordinal.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.shard.ShardDecisions.LeaseAction;
import dev.ordinal.shard.ShardDecisions.Observation;
import dev.ordinal.shard.ShardDecisions.Seen;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ShardDecisionsTest {
  static final Duration LEASE = Duration.ofSeconds(15);
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static Seen shard(int shard, int of, String holder, String version, Instant since) {
    return new Seen(new LeaseRecord(ShardDecisions.shardLease(shard, of), holder, version), since);
  }

  private static Seen member(String who, String version, Instant since) {
    return new Seen(new LeaseRecord(ShardDecisions.memberLease(who), who, version), since);
  }

  private static Set<Integer> taken(List<LeaseAction> actions) {
    return of(actions, LeaseAction.Take.class, LeaseAction.Take::shard);
  }

  private static Set<Integer> released(List<LeaseAction> actions) {
    return of(actions, LeaseAction.Release.class, LeaseAction.Release::shard);
  }

  /** What {@code part} says of each action of type {@code type}, sorted. */
  private static <A extends LeaseAction, T extends Comparable<T>> Set<T> of(
      List<LeaseAction> actions, Class<A> type, Function<A, T> part) {
    return actions.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .map(part)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void aLoneReplicaAnnouncesItselfFirstThenTakesEveryShard() {
    List<LeaseAction> first =
        ShardDecisions.decide(new Observation("a", 4, T0, List.of(), false), LEASE);
    assertEquals(
        List.of(new LeaseAction.RenewMember(ShardDecisions.memberLease("a"), Optional.empty())),
        first,
        "the first look only creates the member Lease");
    List<LeaseAction> second =
        ShardDecisions.decide(
            new Observation("a", 4, T0, List.of(member("a", "1", T0)), true), LEASE);
    assertEquals(Set.of(0, 1, 2, 3), taken(second));
    assertTrue(
        second.contains(
            new LeaseAction.RenewMember(ShardDecisions.memberLease("a"), Optional.of("1"))));
  }

  @Test
  void threeLiveReplicasHoldAtMostTheCeilingOfTheirShareEach() {
    List<Seen> seen = List.of(member("a", "1", T0), member("b", "2", T0), member("c", "3", T0));
    List<LeaseAction> actions =
        ShardDecisions.decide(new Observation("a", 8, T0, seen, true), LEASE);
    assertEquals(3, taken(actions).size(), "ceil(8 / 3)");
  }

  @Test
  void aReplicaOverItsShareGivesUpItsHighestShardsAndRenewsTheRest() {
    List<Seen> seen = new ArrayList<>(List.of(member("a", "1", T0), member("b", "2", T0)));
    for (int s = 0; s < 4; s++) {
      seen.add(shard(s, 4, "a", "1" + s, T0));
    }
    List<LeaseAction> actions =
        ShardDecisions.decide(new Observation("a", 4, T0.plusSeconds(1), seen, true), LEASE);
    assertEquals(Set.of(2, 3), released(actions));
    assertEquals(
        2, actions.stream().filter(a -> a instanceof LeaseAction.Renew).count(), "0 and 1 kept");
    assertEquals(Set.of(), taken(actions));
  }

  @Test
  void aShardIsTakenOnlyOnceItsVersionHasStoodStillForALeaseDuration() {
    List<Seen> seen =
        List.of(member("a", "1", T0), shard(0, 1, "dead", "7", T0), member("dead", "8", T0));
    assertEquals(
        Set.of(),
        taken(
            ShardDecisions.decide(
                new Observation("a", 1, T0.plus(LEASE).minusMillis(1), seen, true), LEASE)),
        "held until the lease duration has passed on our own clock");
    List<LeaseAction> later =
        ShardDecisions.decide(new Observation("a", 1, T0.plus(LEASE), seen, true), LEASE);
    assertEquals(
        List.of(new LeaseAction.Take(0, ShardDecisions.shardLease(0, 1), Optional.of("7"))),
        later.stream().filter(a -> a instanceof LeaseAction.Take).toList(),
        "taken over at the version last seen, so a late renewal wins the race");
  }

  @Test
  void aDeadReplicaStopsCountingSoTheSurvivorsShareGrows() {
    Instant later = T0.plus(LEASE);
    List<Seen> seen = new ArrayList<>(List.of(member("a", "1", later), member("dead", "2", T0)));
    seen.add(shard(0, 2, "a", "3", later));
    seen.add(shard(1, 2, "dead", "4", T0));
    List<LeaseAction> actions =
        ShardDecisions.decide(new Observation("a", 2, later, seen, true), LEASE);
    assertEquals(Set.of(1), taken(actions), "fair share is 2 of 2 with one replica alive");
  }

  private static Set<String> forgotten(List<LeaseAction> actions) {
    return of(actions, LeaseAction.Forget.class, LeaseAction.Forget::lease);
  }

  @Test
  void leasesOfReplicasAndShardCountsLongGoneAreForgottenAtTheVersionSeen() {
    Duration forgetAfter = LEASE.multipliedBy(ShardDecisions.FORGET_AFTER_LEASE_DURATIONS);
    Instant now = T0.plus(forgetAfter);
    List<Seen> seen =
        List.of(
            // this replica's own, unrenewed as long: renewed, never forgotten
            member("a", "1", T0),
            // gone for the whole time: forgotten
            member("gone", "2", T0),
            // gone one second less: dead already (it no longer counts), but kept a while
            member("lately", "3", T0.plusSeconds(1)),
            // released on shutdown long ago: forgotten too
            new Seen(new LeaseRecord(ShardDecisions.memberLease("stopped"), "", "4"), T0),
            // a shard of the count before this one, long unrenewed: forgotten
            shard(2, 3, "gone", "5", T0),
            // a shard of this count, however old: taken over, never deleted
            shard(0, 2, "gone", "6", T0));
    List<LeaseAction> actions =
        ShardDecisions.decide(new Observation("a", 2, now, seen, true), LEASE);
    assertEquals(
        Set.of(
            ShardDecisions.memberLease("gone"),
            ShardDecisions.memberLease("stopped"),
            ShardDecisions.shardLease(2, 3)),
        forgotten(actions));
    assertTrue(
        actions.contains(new LeaseAction.Forget(ShardDecisions.memberLease("gone"), "2")),
        "deleted only at the version seen, so a replica that renews in between keeps it");
    assertEquals(Set.of(0, 1), taken(actions));
  }

  @Test
  void aReleasedShardIsFreeAtOnce() {
    List<Seen> seen =
        List.of(
            member("a", "1", T0),
            member("b", "2", T0),
            shard(0, 2, "", "5", T0),
            shard(1, 2, "b", "6", T0));
    assertEquals(
        Set.of(0), taken(ShardDecisions.decide(new Observation("a", 2, T0, seen, true), LEASE)));
  }

  @Test
  void nothingIsTakenWhileReplicasOfAnotherShardCountStillHoldTheirLeases() {
    List<Seen> otherCount = List.of(member("a", "1", T0), shard(0, 4, "b", "2", T0));
    assertEquals(
        Set.of(),
        taken(ShardDecisions.decide(new Observation("a", 2, T0, otherCount, true), LEASE)),
        "b still acts on shard 0 of 4, which overlaps every shard of 2");
    assertEquals(
        Set.of(0, 1),
        taken(
            ShardDecisions.decide(
                new Observation("a", 2, T0.plus(LEASE), otherCount, true), LEASE)),
        "once b's Lease has stood still for a lease duration, b is gone");
    List<Seen> leader =
        List.of(member("a", "1", T0), new Seen(new LeaseRecord("ordinal", "c", "3"), T0));
    assertEquals(
        Set.of(),
        taken(ShardDecisions.decide(new Observation("a", 2, T0, leader, true), LEASE)),
        "a replica run with one shard leads under the Lease 'ordinal' and does everything");
    List<Seen> unrelated =
        List.of(
            member("a", "1", T0), new Seen(new LeaseRecord("ordinal-shard-x-of-2", "b", "3"), T0));
    assertEquals(
        Set.of(),
        taken(ShardDecisions.decide(new Observation("a", 2, T0, unrelated, true), LEASE)),
        "a name that parses as no shard counts as another count: better wait than share");
  }

  @Test
  void memberLeaseNamesAreValidObjectNamesWhateverTheIdentity() {
    assertEquals("ordinal-member-ordinal-7c9f-x2", ShardDecisions.memberLease("ordinal-7c9f-x2"));
    String odd = ShardDecisions.memberLease("Host_1:8080");
    assertTrue(odd.matches("[a-z0-9.-]+"), odd);
    assertTrue(
        !odd.equals(ShardDecisions.memberLease("host-1-8080")),
        "two identities never share one member Lease");
  }

  @Test
  void fairShareIsTheCeiling() {
    assertEquals(3, ShardDecisions.fairShare(8, 3));
    assertEquals(1, ShardDecisions.fairShare(3, 3));
    assertEquals(1, ShardDecisions.fairShare(3, 5));
    assertEquals(4, ShardDecisions.fairShare(4, 0));
  }

  @Test
  void everyReplicaComputesTheSameShardForAKeyAndKeysSpreadOverAllShards() {
    assertEquals(0, ShardOf.key("anything", 1));
    Set<Integer> used = new TreeSet<>();
    for (int i = 0; i < 64; i++) {
      int shard = ShardOf.key("shop/db-" + i, 4);
      assertEquals(shard, ShardOf.key("shop/db-" + i, 4));
      used.add(shard);
    }
    assertEquals(Set.of(0, 1, 2, 3), used);
  }
}
