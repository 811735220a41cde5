package dev.ordinal.shard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Which shard Leases one replica renews, takes and gives up, from what it observed: a pure
 * function, with time passed in.
 *
 * <p>Each replica renews a member Lease of its own, so that every replica can count the live ones
 * and hold at most its fair share, {@code ceil(shards / live replicas)}. A Lease is free when it is
 * released, missing, or when its resourceVersion has not moved for a lease duration on the
 * observer's own clock (as client-go judges leases, so clocks need not agree).
 */
public final class ShardDecisions {
  /** What the shard loop lists: its own Leases and the leader Lease of one shard. */
  static final String LEASE_PREFIX = "ordinal";

  /** The leader Lease of Ordinal run with one shard (daemon.Daemon.LEASE_NAME). */
  static final String LEADER_LEASE = "ordinal";

  static final String SHARD_PREFIX = "ordinal-shard-";
  static final String MEMBER_PREFIX = "ordinal-member-";

  /**
   * How many lease durations a replica's member Lease, or a shard Lease of another shard count,
   * stays unrenewed before a live replica deletes it. Each pod has its own identity, so without
   * this every restart and every change of the count would leave Leases behind for good. Long past
   * the one duration after which they stop counting, so that a replica cut off for a while finds
   * its Lease where it left it.
   */
  public static final int FORGET_AFTER_LEASE_DURATIONS = 4;

  private ShardDecisions() {}

  /** A Lease and when this replica first saw its current version, on its own clock. */
  public record Seen(LeaseRecord lease, Instant since) {
    boolean free(Instant now, Duration leaseDuration) {
      return lease.released() || !now.isBefore(since.plus(leaseDuration));
    }

    /** Unchanged, released or not, for {@code durations} lease durations. */
    boolean untouchedFor(Instant now, Duration leaseDuration, int durations) {
      return !now.isBefore(since.plus(leaseDuration.multipliedBy(durations)));
    }
  }

  /**
   * What one replica observed.
   *
   * @param leases the shard and member Leases in Ordinal's namespace, others ignored
   * @param mayTake false on a replica's first look: it announces itself before it takes anything,
   *     so replicas that start together do not each take every shard first
   */
  public record Observation(
      String self, int shards, Instant now, List<Seen> leases, boolean mayTake) {}

  /** What to do with one Lease. */
  public sealed interface LeaseAction {
    /** Create this replica's member Lease (no version) or renew it. */
    record RenewMember(String lease, Optional<String> version) implements LeaseAction {}

    record Renew(int shard, String lease, String version) implements LeaseAction {}

    /** Create the shard's Lease (no version) or take it over at that version. */
    record Take(int shard, String lease, Optional<String> version) implements LeaseAction {}

    /** Give a shard up: this replica holds more than its fair share. */
    record Release(int shard, String lease, String version) implements LeaseAction {}

    /** Delete a Lease nobody has renewed for {@link #FORGET_AFTER_LEASE_DURATIONS}. */
    record Forget(String lease, String version) implements LeaseAction {}
  }

  /** The Lease of shard {@code shard} of {@code shards}: a new count never reuses an old Lease. */
  public static String shardLease(int shard, int shards) {
    return SHARD_PREFIX + shard + "-of-" + shards;
  }

  /** The member Lease of a replica, a valid object name whatever its identity. */
  public static String memberLease(String identity) {
    String safe = identity.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    if (!safe.equals(identity) || safe.length() > 200) {
      CRC32 crc = new CRC32();
      crc.update(identity.getBytes(StandardCharsets.UTF_8));
      safe =
          safe.substring(0, Math.min(safe.length(), 200)) + "-" + Long.toHexString(crc.getValue());
    }
    return MEMBER_PREFIX + safe;
  }

  /** The shard a Lease name stands for, among {@code shards}; empty for any other Lease. */
  static OptionalInt shardOf(String lease, int shards) {
    String suffix = "-of-" + shards;
    if (!lease.startsWith(SHARD_PREFIX) || !lease.endsWith(suffix)) {
      return OptionalInt.empty();
    }
    try {
      int shard =
          Integer.parseInt(
              lease.substring(SHARD_PREFIX.length(), lease.length() - suffix.length()));
      return shard >= 0 && shard < shards ? OptionalInt.of(shard) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** The most shards one replica may hold while {@code replicas} are alive. */
  public static int fairShare(int shards, int replicas) {
    int alive = Math.max(1, replicas);
    return (shards + alive - 1) / alive;
  }

  public static List<LeaseAction> decide(Observation o, Duration leaseDuration) {
    List<LeaseAction> actions = new ArrayList<>();
    String member = memberLease(o.self());
    Map<Integer, Seen> byShard = new HashMap<>();
    Set<String> alive = new HashSet<>();
    alive.add(member);
    Optional<Seen> mine = Optional.empty();
    boolean foreign = false;
    for (Seen seen : o.leases()) {
      String name = seen.lease().name();
      boolean otherCount = name.startsWith(SHARD_PREFIX) && shardOf(name, o.shards()).isEmpty();
      if ((otherCount || name.equals(LEADER_LEASE)) && !seen.free(o.now(), leaseDuration)) {
        // Replicas of another shard count (or of one shard, under the leader Lease) still act:
        // a change of the count takes effect only once they are gone.
        foreign = true;
      }
      if (name.equals(member)) {
        mine = Optional.of(seen);
      } else if (name.startsWith(MEMBER_PREFIX) && !seen.free(o.now(), leaseDuration)) {
        alive.add(name);
      }
      shardOf(name, o.shards()).ifPresent(shard -> byShard.put(shard, seen));
      if (((name.startsWith(MEMBER_PREFIX) && !name.equals(member)) || otherCount)
          && seen.untouchedFor(o.now(), leaseDuration, FORGET_AFTER_LEASE_DURATIONS)) {
        actions.add(new LeaseAction.Forget(name, seen.lease().version()));
      }
    }
    actions.add(new LeaseAction.RenewMember(member, mine.map(s -> s.lease().version())));

    int fair = fairShare(o.shards(), alive.size());
    List<Integer> held = new ArrayList<>();
    for (int shard = 0; shard < o.shards(); shard++) {
      Seen seen = byShard.get(shard);
      if (seen != null && seen.lease().holder().equals(o.self())) {
        held.add(shard);
      }
    }
    // Over the fair share (a replica joined): give up the highest shards, keep the rest.
    for (int i = 0; i < held.size(); i++) {
      int shard = held.get(i);
      String version = byShard.get(shard).lease().version();
      String lease = shardLease(shard, o.shards());
      actions.add(
          i < fair
              ? new LeaseAction.Renew(shard, lease, version)
              : new LeaseAction.Release(shard, lease, version));
    }
    if (!o.mayTake() || foreign) {
      return actions;
    }
    // Under it: take free shards, starting at a place of this replica's own so that replicas do
    // not all race for shard 0.
    int want = fair - Math.min(fair, held.size());
    int start = ShardOf.key(o.self(), o.shards());
    for (int i = 0; i < o.shards() && want > 0; i++) {
      int shard = (start + i) % o.shards();
      Seen seen = byShard.get(shard);
      if (seen == null) {
        actions.add(new LeaseAction.Take(shard, shardLease(shard, o.shards()), Optional.empty()));
        want--;
      } else if (!seen.lease().holder().equals(o.self()) && seen.free(o.now(), leaseDuration)) {
        actions.add(
            new LeaseAction.Take(
                shard, shardLease(shard, o.shards()), Optional.of(seen.lease().version())));
        want--;
      }
    }
    return actions;
  }
}
