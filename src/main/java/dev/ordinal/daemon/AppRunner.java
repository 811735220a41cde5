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
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One app of the daemon: each poll fetches the app's repository and, when the commit changed, syncs
 * it. A sync that failed against the cluster is retried on the next poll with the same tree (the
 * Git source reports an unchanged commit as {@code Unchanged}), and a periodic re-sync repairs
 * drift even when Git is quiet, as Argo CD's self-heal does.
 */
public final class AppRunner implements PollTarget {
  private final String name;
  private final GitSource source;
  private final AppSync sync;
  private final OrdinalMetrics metrics;
  private final EventBus bus;
  private final Clock clock;
  private final Duration resyncInterval;

  private SourceTree lastTree;

  /** The newest tree that loaded; while a newer commit is invalid, this one stays in force. */
  private SourceTree lastGoodTree;

  private SyncResult lastResult;
  private Instant lastSyncAt = Instant.EPOCH;
  private String lastAppliedRevision;

  public AppRunner(
      String name,
      GitSource source,
      AppSync sync,
      OrdinalMetrics metrics,
      EventBus bus,
      Clock clock,
      Duration resyncInterval) {
    this.name = name;
    this.source = source;
    this.sync = sync;
    this.metrics = metrics;
    this.bus = bus;
    this.clock = clock;
    this.resyncInterval = resyncInterval;
  }

  @Override
  public String repoUrl() {
    return source.repoUrl();
  }

  @Override
  public synchronized PollResult poll() {
    long t0 = System.nanoTime();
    PollResult result = source.poll();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (result instanceof PollResult.Changed changed) {
      metrics.gitFetch(name, "changed", seconds);
      lastTree = changed.tree();
      runSync(lastTree);
    } else if (result instanceof PollResult.Unchanged) {
      metrics.gitFetch(name, "unchanged", seconds);
      boolean retry = lastResult instanceof SyncResult.Failed;
      boolean resync = Duration.between(lastSyncAt, clock.instant()).compareTo(resyncInterval) >= 0;
      if (retry) {
        runSync(lastTree);
      } else if (resync && lastGoodTree != null) {
        runSync(lastGoodTree);
      }
    } else {
      metrics.gitFetch(name, "error", seconds);
    }
    return result;
  }

  /**
   * Syncs the newest tree again at once (or polls when there is none yet): a new leader applies
   * what a standby only planned.
   */
  public synchronized void syncNow() {
    if (lastTree == null) {
      poll();
    } else {
      runSync(lastTree);
    }
  }

  private void runSync(SourceTree tree) {
    long t0 = System.nanoTime();
    SyncResult result = sync.sync(tree);
    double seconds = (System.nanoTime() - t0) / 1e9;
    lastResult = result;
    if (!(result instanceof SyncResult.Invalid)) {
      lastGoodTree = tree;
    }
    lastSyncAt = clock.instant();
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
      lastAppliedRevision = applied.revision();
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
