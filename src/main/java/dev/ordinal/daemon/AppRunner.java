package dev.ordinal.daemon;

import dev.ordinal.git.GitSource;
import dev.ordinal.git.PollResult;
import dev.ordinal.git.PollTarget;
import dev.ordinal.git.SourceStatus;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.metrics.OrdinalMetrics;
import dev.ordinal.rollout.SyncEvent;
import dev.ordinal.web.AppStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * One app of the daemon: each poll fetches the app's repository and, when the commit changed, asks
 * for a sync, which runs on a sync worker, not in the poll: a slow sync delays neither the next
 * fetch nor another app. A sync that failed against the cluster is asked for again on the next poll
 * with the same tree (the Git source reports an unchanged commit as {@code Unchanged}), and {@link
 * #resync} — on the daemon's resync timer — applies the last good tree again to repair drift even
 * when Git is quiet, as Argo CD's self-heal does.
 */
public final class AppRunner implements PollTarget {
  /** Where a runner asks for its {@link #runPending} to be called soon. */
  @FunctionalInterface
  public interface SyncRequests {
    void request(AppRunner runner);
  }

  private final String name;
  private final GitSource source;
  private final AppSync sync;
  private final OrdinalMetrics metrics;
  private final EventBus bus;
  private final Clock clock;
  private final SyncRequests requests;

  // One fetch at a time; held apart from the sync so a poll never waits for one.
  private final Object fetchLock = new Object();

  // Taking the wanted tree and syncing it happen under this lock, so syncs apply in the order
  // their trees were wanted.
  private final Object syncLock = new Object();

  // The fields below are guarded by this runner's monitor.
  private SourceTree lastTree;

  /** The newest tree that loaded; while a newer commit is invalid, this one stays in force. */
  private SourceTree lastGoodTree;

  /** The tree the next sync applies; null when no sync is wanted. */
  private SourceTree wanted;

  private boolean resyncWanted;

  private SyncResult lastResult;
  private Instant lastSyncAt = Instant.EPOCH;
  private String lastAppliedRevision;
  private long syncs;

  /**
   * @param requests where syncs are asked for ({@code SyncWorkers} in the daemon)
   */
  public AppRunner(
      String name,
      GitSource source,
      AppSync sync,
      OrdinalMetrics metrics,
      EventBus bus,
      Clock clock,
      SyncRequests requests) {
    this.name = name;
    this.source = source;
    this.sync = sync;
    this.metrics = metrics;
    this.bus = bus;
    this.clock = clock;
    this.requests = requests;
  }

  public String name() {
    return name;
  }

  @Override
  public String repoUrl() {
    return source.repoUrl();
  }

  /** Fetches; a new commit, or an unchanged one after a failed sync, asks for a sync. */
  @Override
  public PollResult poll() {
    PollResult result = fetch();
    if (syncWanted()) {
      requests.request(this);
    }
    return result;
  }

  /** Fetches and syncs on the calling thread (start-up: every app is planned before rollouts). */
  public PollResult pollAndSync() {
    PollResult result = fetch();
    runPending();
    return result;
  }

  private PollResult fetch() {
    PollResult result;
    synchronized (fetchLock) {
      long t0 = System.nanoTime();
      result = source.poll();
      double seconds = (System.nanoTime() - t0) / 1e9;
      metrics.gitFetch(
          name,
          result instanceof PollResult.Changed
              ? "changed"
              : result instanceof PollResult.Unchanged ? "unchanged" : "error",
          seconds);
    }
    synchronized (this) {
      if (result instanceof PollResult.Changed changed) {
        lastTree = changed.tree();
        wanted = lastTree;
      } else if (result instanceof PollResult.Unchanged
          && lastResult instanceof SyncResult.Failed
          && wanted == null) {
        wanted = lastTree;
      }
    }
    return result;
  }

  private synchronized boolean syncWanted() {
    return wanted != null || resyncWanted;
  }

  /** This app's sync: what it loads, plans and applies. */
  AppSync sync() {
    return sync;
  }

  /**
   * Asks for the last good tree to be applied again (the newest one after a failed sync): called by
   * the daemon's resync timer. Does nothing before the first tree, or while a sync is wanted.
   */
  public void resync() {
    synchronized (this) {
      if (wanted != null || resyncWanted || lastTree == null) {
        return;
      }
      // Only a mark: which tree is chosen when the sync runs, after any sync in flight has
      // recorded its result. Chosen now, a resync during the sync of a new commit would apply
      // the commit before it again.
      resyncWanted = true;
    }
    requests.request(this);
  }

  /**
   * Syncs the newest tree again at once, on the calling thread (or polls when there is none yet): a
   * new leader applies what a standby only planned.
   */
  public void syncNow() {
    boolean known;
    synchronized (this) {
      wanted = lastTree;
      known = lastTree != null;
    }
    if (!known) {
      pollAndSync();
    } else {
      runPending();
    }
  }

  /** Syncs the wanted tree, if any: a sync worker calls this when asked. */
  public void runPending() {
    synchronized (syncLock) {
      SourceTree tree;
      synchronized (this) {
        tree = wanted;
        if (tree == null && resyncWanted) {
          tree = lastResult instanceof SyncResult.Failed ? lastTree : lastGoodTree;
        }
        wanted = null;
        resyncWanted = false;
      }
      if (tree != null) {
        runSync(tree);
      }
    }
  }

  /** Syncs run so far (each poll's change, retry and resync that reached the cluster port). */
  public synchronized long syncCount() {
    return syncs;
  }

  private void runSync(SourceTree tree) {
    long t0 = System.nanoTime();
    SyncResult result = sync.sync(tree);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Instant at = clock.instant();
    synchronized (this) {
      lastResult = result;
      if (!(result instanceof SyncResult.Invalid)) {
        lastGoodTree = tree;
      }
      lastSyncAt = at;
      syncs++;
      if (result instanceof SyncResult.Applied applied) {
        lastAppliedRevision = applied.revision();
      }
    }
    record(result, at, seconds);
  }

  private void record(SyncResult result, Instant lastSyncAt, double seconds) {
    metrics.sync(name, result.result(), lastSyncAt.toEpochMilli(), seconds);
    event(result)
        .ifPresent(
            event ->
                bus.publish(
                    new EventBus.Occurrence(
                        lastSyncAt,
                        sync.namespace(),
                        name,
                        "",
                        result.result(),
                        event,
                        Optional.empty())));
    if (result instanceof SyncResult.Invalid invalid) {
      metrics.manifestErrors(name, invalid.errors().size());
    } else {
      metrics.manifestErrors(name, 0);
    }
    if (result instanceof SyncResult.Applied applied) {
      metrics.syncedCommit(name, applied.revision());
      metrics.objects(name, "create", applied.created());
      metrics.objects(name, "update", applied.updated() + applied.held());
      metrics.objects(name, "unchanged", applied.unchanged());
      metrics.objects(name, "prune", applied.pruned());
      metrics.objects(name, "refused", 0);
    } else if (result instanceof SyncResult.Refused refused) {
      // the other states describe the last plan that was carried out, which stays in force
      metrics.objects(name, "refused", refused.refusals().size());
    }
  }

  /** The domain event of a sync; a standby's plan is none (nothing was decided). */
  private Optional<SyncEvent> event(SyncResult result) {
    if (result instanceof SyncResult.Applied a) {
      return Optional.of(
          new SyncEvent.SyncApplied(
              name, a.revision(), a.created(), a.updated(), a.held(), a.unchanged(), a.pruned()));
    }
    if (result instanceof SyncResult.Refused r) {
      return Optional.of(new SyncEvent.SyncRefused(name, r.revision(), r.refusals()));
    }
    if (result instanceof SyncResult.Invalid i) {
      return Optional.of(
          new SyncEvent.SyncInvalid(
              name,
              i.revision(),
              i.errors().size(),
              i.errors().stream().limit(3).map(Object::toString).toList()));
    }
    if (result instanceof SyncResult.Failed f) {
      return Optional.of(new SyncEvent.SyncFailed(name, f.revision(), f.error()));
    }
    return Optional.empty();
  }

  /** A snapshot for the status endpoint; never includes credentials. */
  public synchronized AppStatus status() {
    SourceStatus git = source.status();
    return new AppStatus(
        name,
        git,
        Optional.ofNullable(lastAppliedRevision),
        Optional.ofNullable(lastResult).map(SyncResult::result),
        Optional.ofNullable(lastResult).map(AppRunner::detail),
        lastSyncAt.equals(Instant.EPOCH) ? Optional.empty() : Optional.of(lastSyncAt));
  }

  private static String detail(SyncResult result) {
    if (result instanceof SyncResult.Invalid invalid) {
      return String.join("\n", invalid.errors().stream().map(Object::toString).toList());
    }
    if (result instanceof SyncResult.Refused refused) {
      return String.join("\n", refused.reasons());
    }
    if (result instanceof SyncResult.Standby standby) {
      return "standby: planned " + standby.planned().summary() + "; the leader applies";
    }
    if (result instanceof SyncResult.Failed failed) {
      return failed.error();
    }
    SyncResult.Applied a = (SyncResult.Applied) result;
    return String.format(
        "created %d, updated %d, held for rollout %d, unchanged %d, pruned %d",
        a.created(), a.updated(), a.held(), a.unchanged(), a.pruned());
  }
}
