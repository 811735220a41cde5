package dev.ordinal.demo;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.daemon.AppRunner;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.daemon.StatefulSetObserver;
import dev.ordinal.daemon.Workloads;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTrust;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import dev.ordinal.sim.SimMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * {@code ordinal demo}: the real daemon (Git source, loader, planner, rollout engine, analysis
 * runner, event bus, HTTP endpoints) over the two ports that need no outside world: an in-memory
 * cluster ({@link SimCluster}) and a scripted Prometheus ({@link SimMetrics}), on simulated time.
 * It plays the story of an orders database: a good release rolls out through canary steps, analysis
 * and a manual gate to Healthy; a bad one fails its analysis and rolls back by itself.
 */
public final class Demo {
  static final String NAMESPACE = "orders";
  static final String STATEFUL_SET = "orders-db";
  static final String APP = "orders-db";
  static final String PATH = "envs/prod";
  static final Instant START = Instant.parse("2026-12-01T09:00:00Z");

  /** The address of the config's default Prometheus server; {@link SimMetrics} answers for it. */
  static final String PROMETHEUS = "http://prometheus.monitoring:9090";

  /** How long a simulated postgres pod takes from start to Ready. */
  static final Duration READY_DELAY = Duration.ofSeconds(20);

  /** Simulated time the story may take at most; it takes about 10 minutes. */
  static final Duration STORY_LIMIT = Duration.ofMinutes(40);

  /** The releases the demo commits, with what the canary's metrics show for each. */
  record Release(String title, String message, List<DemoRepository.Edit> edits, Profile profile) {}

  /** The canary's query results while a release runs, each a few values played in turn. */
  record Profile(double[] lagSeconds, double[] rollbackRatio, double[] statementSeconds) {
    void play(SimMetrics metrics) {
      metrics
          .answer("pg_replication_lag_seconds", lagSeconds)
          .answer("pg_stat_database_xact_rollback", rollbackRatio)
          .answer("pg_stat_statements_seconds_total", statementSeconds)
          .answer("kube_pod_container_status_restarts_total", 0);
    }
  }

  static final String STATEFULSET_FILE = PATH + "/statefulset.yaml";

  static final Release GOOD =
      new Release(
          "a good release: PostgreSQL 16.4 -> 16.6, a minor release",
          "orders-db: PostgreSQL 16.6 (minor release: bug and security fixes)",
          List.of(new DemoRepository.Edit(STATEFULSET_FILE, "postgres:16.4", "postgres:16.6")),
          new Profile(
              new double[] {0.4, 0.9, 0.3, 0.6},
              new double[] {0.0021, 0.0017, 0.0024, 0.0019},
              new double[] {0.0042, 0.0039, 0.0045, 0.0041}));

  static final Release BAD =
      new Release(
          "a bad release: statement_timeout=50ms, to shed slow queries",
          "orders-db: statement_timeout=50ms so slow queries cannot pile up",
          List.of(
              new DemoRepository.Edit(
                  STATEFULSET_FILE,
                  "            - \"-c\"\n            - \"wal_level=replica\"\n",
                  "            - \"-c\"\n            - \"statement_timeout=50ms\"\n"
                      + "            - \"-c\"\n            - \"wal_level=replica\"\n")),
          // The timeout cancels the long report queries: their transactions roll back, and the
          // mean statement time even drops.
          new Profile(
              new double[] {0.5, 0.4, 0.7},
              new double[] {0.083, 0.091, 0.078},
              new double[] {0.0031, 0.0029, 0.0033}));

  /** What the demo is told: how fast, whether to stay up, where to listen, where to print. */
  public record Options(double speed, boolean keep, String listen, PrintWriter out) {}

  /** How a release ended. */
  public enum Result {
    PROMOTED,
    ROLLED_BACK
  }

  /**
   * One release of the story: its commit, how it ended, the simulated time it took, its
   * measurements, and the reason the rollout gave.
   */
  public record Outcome(
      String title,
      String commit,
      Result result,
      Duration took,
      Measured measurements,
      String reason) {}

  /** Measurements shown during a release: all of them, the failed and the inconclusive ones. */
  public record Measured(int measured, int failed, int inconclusive) {}

  /** What the story showed, and how long it took in simulated and in wall-clock time. */
  public record Summary(List<Outcome> releases, Duration simulated, Duration wall) {}

  private Demo() {}

  /**
   * Plays the story and returns its summary; with {@code keep}, then runs until the thread is
   * interrupted.
   */
  public static Summary run(Options options) throws DemoException, InterruptedException {
    long wallStart = System.nanoTime();
    Path tmp;
    try {
      tmp = Files.createTempDirectory("ordinal-demo");
    } catch (IOException e) {
      throw DemoException.startup("cannot create a temporary folder: " + e.getMessage(), e);
    }
    SimMetrics metrics = new SimMetrics();
    GOOD.profile().play(metrics);
    try (DemoRepository repo =
        DemoRepository.seed(
            tmp.resolve("config"), "orders-db: PostgreSQL 16.4, a primary and two standbys")) {
      DaemonConfig config = config(tmp, options, repo);
      Map<String, AnalysisTemplate> templates = templates(repo.workTree(), config);
      // Simulated time starts now, with the cluster, so the timeline starts near 0:00.
      SimClock clock = new SimClock(START, options.speed());
      return play(options, tmp, config, repo, templates, clock, metrics, wallStart);
    } catch (IOException e) {
      throw DemoException.startup("the demo cannot start: " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /**
   * The daemon's config, as an operator would write it for this app: the same {@code default}
   * Prometheus server as manifests/configmap.yaml names, which the scripted port answers for, and
   * backups with exec hooks allowed, as there.
   */
  private static DaemonConfig config(Path tmp, Options options, DemoRepository repo) {
    return new DaemonConfig(
        tmp.resolve("data").toString(),
        options.listen(),
        "1h",
        "ordinal-system",
        null,
        Map.of(
            AnalysisTrust.DEFAULT_SERVER,
            new DaemonConfig.PrometheusServer(PROMETHEUS, null, "10s")),
        List.of(),
        List.of(
            new DaemonConfig.App(
                APP,
                repo.url(),
                "main",
                PATH,
                NAMESPACE,
                false,
                null,
                // the example policy snapshots the claims first, after a CHECKPOINT exec hook
                new DaemonConfig.Boundary(
                    null, null, null, true, List.of(AppBoundary.Backups.EXEC), null))));
  }

  private static Summary play(
      Options options,
      Path tmp,
      DaemonConfig config,
      DemoRepository repo,
      Map<String, AnalysisTemplate> templates,
      SimClock clock,
      SimMetrics metrics,
      long wallStart)
      throws DemoException, InterruptedException {
    PrintWriter out = options.out();
    try (SimCluster cluster = new SimCluster(clock, READY_DELAY)) {
      Timeline timeline = new Timeline(out, START, cluster, templates);
      cluster.onAnalysisSaved(timeline::onRun);
      header(out, options, repo);
      timeline.section("the first commit: orders-db on PostgreSQL 16.4");
      // Ends when the cluster closes, which forgets its watchers.
      cluster.watch(Set.of(NAMESPACE), timeline.asListener());
      try (Daemon daemon =
          Daemon.start(
              config,
              Duration.ofHours(1),
              new Daemon.Ports(cluster, metrics, clock, options.speed()),
              "ordinal-demo",
              List.of(timeline))) {
        timeline.say(
            clock.instant(),
            "ordinal",
            String.format(
                "status page http://127.0.0.1:%d/ (its data at /status, metrics at /metrics)",
                daemon.port()));
        Story story = new Story(timeline, cluster, clock);
        story.awaitSteady();
        AppRunner app = daemon.apps().get(0);
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(story.play(repo, app, metrics, GOOD, 1));
        outcomes.add(story.play(repo, app, metrics, BAD, 2));
        Summary summary =
            new Summary(
                outcomes,
                Duration.between(START, clock.instant()),
                Duration.ofNanos(System.nanoTime() - wallStart));
        printSummary(out, summary, options.speed());
        if (options.keep()) {
          // Ctrl-C ends the JVM without unwinding this method: clean up in a shutdown hook.
          Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(tmp)));
          out.printf(
              "%nStill running (--keep): the status page is http://127.0.0.1:%d/. Press Ctrl-C to stop.%n",
              daemon.port());
          out.flush();
          new CountDownLatch(1).await();
        }
        return summary;
      }
    } catch (IOException | GitSourceException e) {
      throw DemoException.startup("the demo cannot start: " + e.getMessage(), e);
    }
  }

  /** The analysis templates as the demo's repository holds them, to show their conditions. */
  private static Map<String, AnalysisTemplate> templates(Path workTree, DaemonConfig config)
      throws IOException {
    LoadResult result =
        new ManifestLoader(ConditionGrammar.INSTANCE, config.analysisTrust())
            .load(LocalDirectory.read(workTree.resolve(PATH)));
    if (result instanceof LoadResult.Loaded loaded) {
      return loaded.state().templates();
    }
    throw new IOException(
        "the example config repository shipped with Ordinal is invalid: "
            + ((LoadResult.Invalid) result).errors());
  }

  private static void header(PrintWriter out, Options options, DemoRepository repo) {
    out.printf(
        "Ordinal demo: rolling out releases of an orders database (PostgreSQL, a primary and two"
            + " streaming standbys)%n");
    out.printf(
        "  Git       %s, seeded from examples/orders-db; app %s tracks %s into namespace %s%n",
        repo.workTree(), APP, PATH, NAMESPACE);
    out.printf(
        "  cluster   in memory: a simulated StatefulSet controller and kubelet (a pod is Ready %d s"
            + " after it starts)%n",
        READY_DELAY.toSeconds());
    out.printf(
        "  metrics   a simulated Prometheus: the canary's query results follow the demo's script%n");
    out.printf(
        "  time      simulated, %s times the wall clock (--speed); columns: time, step, pods, what%n",
        speed(options.speed()));
    out.printf("  pods      %s%n", Timeline.legend());
    out.flush();
  }

  private static void printSummary(PrintWriter out, Summary summary, double speed) {
    out.printf(
        "%nSummary: %s of simulated time in %.1f s (speed %s)%n",
        minutes(summary.simulated()), summary.wall().toMillis() / 1000.0, speed(speed));
    for (Outcome o : summary.releases()) {
      out.printf(
          "  %s  %-11s after %s, %d measurements (%d failed): %s%n",
          Timeline.shortId(o.commit()),
          o.result() == Result.PROMOTED ? "promoted" : "rolled back",
          minutes(o.took()),
          o.measurements().measured(),
          o.measurements().failed(),
          o.title());
      if (o.result() == Result.ROLLED_BACK) {
        out.printf("           why: %s%n", Timeline.printable(o.reason()));
      }
    }
    out.printf(
        "%nNext: validate the example yourself (ordinal validate examples/orders-db/envs/prod),"
            + " read its policy%n(examples/orders-db/envs/prod/ordinal-rollout-policy.yaml), then"
            + " diff and plan it against a cluster (README: a five-minute tour).%n");
    out.flush();
  }

  static String minutes(Duration d) {
    long s = d.toSeconds();
    return s / 60 + "m" + String.format("%02d", s % 60) + "s";
  }

  static String speed(double speed) {
    return speed == Math.rint(speed) ? String.valueOf((long) speed) : String.valueOf(speed);
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }

  /** The scripted part: commit, let Ordinal fetch, play the person at a gate, wait for the end. */
  private record Story(Timeline timeline, SimCluster cluster, SimClock clock) {
    /** Wall-clock time the story may take: its simulated limit, and never less than a minute. */
    Duration deadline() {
      Duration real = clock.real(STORY_LIMIT);
      return real.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : real;
    }

    /** Waits for the first commit's pods, all Ready, and the rollout state Healthy. */
    void awaitSteady() throws DemoException, InterruptedException {
      timeline.await(
          "orders-db's three pods to be Ready",
          () -> {
            RolloutState s = timeline.latest();
            return s != null && s.phase() == Phase.HEALTHY && podsReady() == 3;
          },
          deadline());
      timeline.say(
          clock.instant(),
          "cluster",
          "orders-db-0 (the primary), orders-db-1 and orders-db-2 (standbys) are Ready");
    }

    private long podsReady() {
      return cluster
          .get(NAMESPACE, STATEFUL_SET)
          .map(sts -> cluster.pods(sts, Workloads.Read.CACHED))
          .orElse(List.of())
          .stream()
          .map(StatefulSetObserver::podView)
          .filter(v -> v.isPresent() && v.get().available())
          .count();
    }

    Outcome play(
        DemoRepository repo, AppRunner app, SimMetrics metrics, Release release, int number)
        throws IOException, DemoException, InterruptedException {
      String stable = timeline.latest().stableRevision();
      release.profile().play(metrics);
      String commit = repo.commit(release.message(), release.edits());
      timeline.takeTally();
      timeline.section(
          number + ". " + release.title() + ", committed as " + Timeline.shortId(commit));
      // What a push webhook makes Ordinal do: fetch now rather than at the next poll.
      app.poll();
      Instant started = clock.instant();
      while (true) {
        timeline.await(
            "release " + number + " to be promoted or rolled back",
            () -> ended(timeline.latest(), stable) || atGate(timeline.latest()),
            deadline());
        RolloutState now = timeline.latest();
        if (now.phase() == Phase.ROLLED_BACK && restorable(now)) {
          now = restore(now);
        }
        if (ended(now, stable)) {
          return new Outcome(
              release.title(),
              commit,
              now.phase() == Phase.HEALTHY ? Result.PROMOTED : Result.ROLLED_BACK,
              Duration.between(started, clock.instant()),
              timeline.takeTally(),
              now.reason());
        }
        int gate = now.stepIndex();
        timeline.say(
            clock.instant(),
            "on-call (the demo)",
            "looked at the dashboards: ordinal promote " + NAMESPACE + "/" + STATEFUL_SET);
        // Exactly what `ordinal promote` writes: the command annotation, which Ordinal answers.
        cluster.annotate(
            NAMESPACE,
            STATEFUL_SET,
            Map.of(
                Annotations.commandKey(Command.PROMOTE),
                clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
        timeline.await(
            "the rollout to move past the manual gate",
            () -> !atGate(timeline.latest()) || timeline.latest().stepIndex() != gate,
            deadline());
      }
    }

    /**
     * The prod policy restores by hand (restoreOnRollback: manual): the on-call brings back the
     * claims of the standby that ran the bad version, as {@code ordinal backup restore ID} would,
     * and the demo waits until the restored pod is Ready again.
     */
    private RolloutState restore(RolloutState rolledBack)
        throws DemoException, InterruptedException {
      String backup = rolledBack.backup().id();
      timeline.say(
          clock.instant(),
          "on-call (the demo)",
          "the bad version may have touched a standby's data: ordinal backup restore " + backup);
      // Exactly what `ordinal backup restore` writes: the command annotation, which Ordinal
      // answers.
      cluster.annotate(
          NAMESPACE, STATEFUL_SET, Map.of(Annotations.commandKey(Command.RESTORE), backup));
      timeline.await(
          "the restore from " + backup + " to complete",
          () -> {
            RolloutState s = timeline.latest();
            return s.restore() == null && s.backup() != null && !s.backup().restored().isEmpty();
          },
          deadline());
      return timeline.latest();
    }

    /** A complete backup covers pods that ran the rolled-back revision, and none was restored. */
    private static boolean restorable(RolloutState s) {
      return s.backup() != null
          && s.backup().stage() == RolloutState.BackupStage.READY
          && !s.backup().ranTarget().isEmpty()
          && s.backup().restored().isEmpty()
          && s.restore() == null;
    }

    private static boolean atGate(RolloutState s) {
      return s.reasonCode() == PhaseReason.MANUAL_GATE;
    }

    /** Promoted (Healthy on a new revision) or rolled back. */
    private static boolean ended(RolloutState s, String stable) {
      return (s.phase() == Phase.HEALTHY && !s.stableRevision().equals(stable))
          || s.phase() == Phase.ROLLED_BACK;
    }
  }
}
