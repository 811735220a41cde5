package dev.ordinal.shard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shards held through Leases: every retry period it reads the Leases, decides ({@link
 * ShardDecisions}) and renews, takes or gives up. A shard counts as held only until the renew
 * deadline after its last successful write, which is shorter than the lease duration that others
 * wait before they take it over: a replica cut off from the API server stops writing before anyone
 * else starts.
 */
public final class LeasedShards implements Ownership {
  private static final Logger log = LoggerFactory.getLogger(LeasedShards.class);

  private final LeaseStore store;
  private final String self;
  private final int shards;
  private final LeaseTiming timing;
  private final Clock clock;

  /** When each version was first seen, by Lease name. */
  private final Map<String, ShardDecisions.Seen> seen = new HashMap<>();

  /** Until when each held shard may be written for, on this replica's clock. */
  private final Map<Integer, Instant> heldUntil = new ConcurrentHashMap<>();

  /** The shards the listener was last told about. */
  private final SortedSet<Integer> announced = new TreeSet<>();

  private final ScheduledExecutorService ticker;
  private final ExecutorService events =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "ordinal-shard-events");
            t.setDaemon(true);
            return t;
          });
  private Listener listener =
      new Listener() {
        @Override
        public void acquired(int shard) {}

        @Override
        public void lost(int shard) {}
      };
  private boolean looked;

  /**
   * Whether the last tick failed, so an outage is logged once when it starts and once when it ends.
   */
  private boolean failing;

  private volatile boolean closed;

  public LeasedShards(LeaseStore store, String self, int shards, LeaseTiming timing, Clock clock) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1");
    }
    this.store = Objects.requireNonNull(store);
    this.self = Objects.requireNonNull(self);
    this.shards = shards;
    this.timing = Objects.requireNonNull(timing);
    this.clock = Objects.requireNonNull(clock);
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ordinal-shards");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public int shards() {
    return shards;
  }

  @Override
  public boolean holds(int shard) {
    Instant until = heldUntil.get(shard);
    return until != null && clock.instant().isBefore(until);
  }

  @Override
  public SortedSet<Integer> held() {
    SortedSet<Integer> held = new TreeSet<>();
    for (int shard = 0; shard < shards; shard++) {
      if (holds(shard)) {
        held.add(shard);
      }
    }
    return Collections.unmodifiableSortedSet(held);
  }

  @Override
  public synchronized void start(Listener listener) {
    listen(listener);
    ticker.scheduleWithFixedDelay(
        this::tickQuietly, 0, timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sets who is told, without starting the ticker (tests tick by hand). */
  synchronized void listen(Listener listener) {
    this.listener = Objects.requireNonNull(listener);
  }

  void tickQuietly() {
    try {
      tick();
      if (failing) {
        failing = false;
        log.info("{}: shard leases are read and written again", self);
      }
    } catch (RuntimeException e) {
      // Once per outage, not every retry period: the held shards run out on their own, and
      // acquired/lost say what that means.
      if (!failing) {
        failing = true;
        log.warn("{}: reading or writing shard leases failed: {}", self, e.toString());
      }
      announce();
    }
  }

  /** One look at the Leases and what follows from it. */
  synchronized void tick() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    List<LeaseRecord> leases = store.list(ShardDecisions.LEASE_PREFIX);
    Map<String, ShardDecisions.Seen> current = new HashMap<>();
    for (LeaseRecord lease : leases) {
      ShardDecisions.Seen before = seen.get(lease.name());
      current.put(
          lease.name(),
          before != null && before.lease().version().equals(lease.version())
              ? before
              : new ShardDecisions.Seen(lease, now));
    }
    seen.clear();
    seen.putAll(current);
    var observation =
        new ShardDecisions.Observation(self, shards, now, List.copyOf(current.values()), looked);
    looked = true;
    for (ShardDecisions.LeaseAction action :
        ShardDecisions.decide(observation, timing.leaseDuration())) {
      carryOut(action, now);
    }
    announce();
  }

  private void carryOut(ShardDecisions.LeaseAction action, Instant startedAt) {
    Duration lease = timing.leaseDuration();
    if (action instanceof ShardDecisions.LeaseAction.RenewMember m) {
      if (m.version().isPresent()) {
        store.update(m.lease(), m.version().get(), self, lease);
      } else {
        store.create(m.lease(), self, lease);
      }
    } else if (action instanceof ShardDecisions.LeaseAction.Renew r) {
      if (store.update(r.lease(), r.version(), self, lease)) {
        heldUntil.put(r.shard(), startedAt.plus(timing.renewDeadline()));
      } else {
        heldUntil.remove(r.shard());
      }
    } else if (action instanceof ShardDecisions.LeaseAction.Take t) {
      boolean taken =
          t.version().isPresent()
              ? store.update(t.lease(), t.version().get(), self, lease)
              : store.create(t.lease(), self, lease);
      if (taken) {
        heldUntil.put(t.shard(), startedAt.plus(timing.renewDeadline()));
      }
    } else if (action instanceof ShardDecisions.LeaseAction.Forget f) {
      // Whoever of the replicas is first; the others find it moved on or gone.
      if (store.delete(f.lease(), f.version())) {
        log.info("{} deleted lease {}, unrenewed for a long time", self, f.lease());
      }
    } else if (action instanceof ShardDecisions.LeaseAction.Release r) {
      // Stop renewing and let the Lease run out rather than release it: a sync or a decision of
      // the shard may still be in flight here, and the next holder starts only once the Lease
      // has expired, a renew deadline after this replica stopped.
      heldUntil.remove(r.shard());
    }
  }

  /**
   * Tells the listener about shards gained and lost since it was last told, on a thread of its own:
   * a listener that takes its time (closing a rollout loop) must not hold up the renewals.
   */
  private synchronized void announce() {
    SortedSet<Integer> now = held();
    Listener told = listener;
    for (Integer shard : List.copyOf(announced)) {
      if (!now.contains(shard)) {
        announced.remove(shard);
        log.info("{} gave up or lost shard {} of {}", self, shard, shards);
        events.execute(() -> told.lost(shard));
      }
    }
    for (Integer shard : now) {
      if (announced.add(shard)) {
        log.info("{} holds shard {} of {}", self, shard, shards);
        events.execute(() -> told.acquired(shard));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    ticker.shutdownNow();
    synchronized (this) {
      SortedSet<Integer> was = new TreeSet<>(heldUntil.keySet());
      heldUntil.clear();
      announce();
      // Released rather than left to expire, so that the others take over at once.
      for (Integer shard : was) {
        release(ShardDecisions.shardLease(shard, shards));
      }
      release(ShardDecisions.memberLease(self));
    }
    events.shutdown();
    try {
      events.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void release(String name) {
    try {
      // Read again: the version last seen is older than this replica's own last renewal.
      store.list(name).stream()
          .filter(l -> l.name().equals(name) && l.holder().equals(self))
          .findFirst()
          .ifPresent(l -> store.update(name, l.version(), "", timing.leaseDuration()));
    } catch (RuntimeException e) {
      log.info("{}: lease {} not released ({}); it expires", self, name, e.toString());
    }
  }
}
