package dev.ordinal.analysis;

import dev.ordinal.analysis.condition.ConditionEvaluationException;
import dev.ordinal.analysis.condition.MetricResult;
import dev.ordinal.analysis.prometheus.HttpPrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusApi;
import dev.ordinal.analysis.prometheus.PrometheusException;
import dev.ordinal.analysis.prometheus.QueryResult;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.Escapes;
import dev.ordinal.rollout.AnalysisRef;
import dev.ordinal.rollout.AnalysisVerdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analyses: each metric is measured {@code initialDelay} after the start, then every {@code
 * interval} until its phase is decided or the run's verdict is — a metric with an interval and no
 * count until a limit decides or the run is stopped; see {@link MeasurementRules}, {@link
 * MetricTally} and {@link Verdicts} for the rules. A stopped run's metrics that were still running
 * end as Argo ends a terminated run (see {@link MetricTally#decide}). Every measurement is saved to
 * the {@link RunStore} so that {@link #resume()} after a restart continues where the run was.
 *
 * <p>Templates are looked up by name when a run starts (and again on resume), so the daemon passes
 * a lookup over the templates of the last loaded revision. Thread-safe: a run's state changes under
 * its own lock; queries run outside it.
 */
public final class AnalysisRunner implements AnalysisRuns {
  /** How many measurements per metric a snapshot shows and a record keeps. */
  public static final int RECENT_MEASUREMENTS = 10;

  /**
   * Between measurements of a metric without an interval that must measure again: only templates
   * built in code, as validation requires an interval when count is more than 1.
   */
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

  /** Argo's retry delay after an error measurement, whatever the metric's interval. */
  static final Duration DEFAULT_ERROR_RETRY_INTERVAL = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(AnalysisRunner.class);

  private final TemplateLookup templates;

  /** Finds an AnalysisTemplate by name for a rollout, so each app's runs use its own templates. */
  @FunctionalInterface
  public interface TemplateLookup {
    Optional<AnalysisTemplate> find(String name, RolloutContext rollout);
  }

  /**
   * Told about every measurement once it is counted, outside the run's lock (metrics): the rollout
   * it belongs to, which metric, the measurement, the metric's phase after it, and the numbers its
   * conditions compare with.
   */
  @FunctionalInterface
  public interface MeasurementListener {
    void measured(
        RolloutContext rollout,
        String template,
        String metric,
        Measurement measurement,
        MetricPhase metricPhase,
        List<RunSnapshot.Threshold> thresholds);
  }

  private final PrometheusApi prometheus;
  private final Scheduler scheduler;
  private final Clock clock;
  private final RunStore store;
  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private volatile MeasurementListener listener =
      (rollout, template, metric, m, phase, thresholds) -> {};

  public AnalysisRunner(
      Function<String, Optional<AnalysisTemplate>> templates,
      PrometheusApi prometheus,
      Scheduler scheduler,
      Clock clock,
      RunStore store) {
    this((name, rollout) -> templates.apply(name), prometheus, scheduler, clock, store);
  }

  public AnalysisRunner(
      TemplateLookup templates,
      PrometheusApi prometheus,
      Scheduler scheduler,
      Clock clock,
      RunStore store) {
    this.templates = templates;
    this.prometheus = prometheus;
    this.scheduler = scheduler;
    this.clock = clock;
    this.store = store;
  }

  /**
   * Production wiring: HTTP to Prometheus, four measurement threads, the system clock.
   *
   * @param secrets reads {@code bearerTokenSecret}s (name/key in the rollout's namespace); empty
   *     when missing, which makes the measurement an error naming the Secret
   */
  public static AnalysisRunner create(
      Function<String, Optional<AnalysisTemplate>> templates,
      RunStore store,
      Function<AnalysisTemplate.SecretKeyRef, Optional<String>> secrets) {
    return create((TemplateLookup) (name, rollout) -> templates.apply(name), store, secrets);
  }

  /** As {@link #create(Function, RunStore, Function)}, with templates looked up per rollout. */
  public static AnalysisRunner create(
      TemplateLookup templates,
      RunStore store,
      Function<AnalysisTemplate.SecretKeyRef, Optional<String>> secrets) {
    return new AnalysisRunner(
        templates,
        new HttpPrometheusApi(Optional.empty(), secrets),
        Scheduler.threads(4),
        Clock.systemUTC(),
        store);
  }

  /** {@link #create(Function, RunStore, Function)} for templates that use no bearerTokenSecret. */
  public static AnalysisRunner create(
      Function<String, Optional<AnalysisTemplate>> templates, RunStore store) {
    return create(templates, store, ref -> Optional.empty());
  }

  /** Registers the one listener told about each measurement (replacing any earlier one). */
  public AnalysisRunner onMeasurement(MeasurementListener listener) {
    this.listener = listener;
    return this;
  }

  @Override
  public void start(String runId, List<AnalysisRef> refs, RolloutContext context) {
    forgetFinishedBefore(clock.instant().minus(FINISHED_RUN_RETENTION));
    Run run = new Run(runId, refs, context, clock.instant());
    if (runs.putIfAbsent(runId, run) != null) {
      return;
    }
    synchronized (run) {
      try {
        run.metrics.addAll(prepare(refs, context));
      } catch (AnalysisSetupException e) {
        run.setupError = e.getMessage();
        LOG.warn("analysis run {} cannot start: {}", runId, e.getMessage());
        save(run);
        return;
      }
      for (MetricRun metric : run.metrics) {
        Duration delay = metric.prepared.metric().initialDelay().orElse(Duration.ZERO);
        metric.nextAt = run.startedAt.plus(delay);
        scheduleNext(run, metric, delay);
      }
      save(run);
    }
  }

  /**
   * Continues the runs found in the store that this runner does not know yet: counts and recent
   * measurements are kept and each unfinished metric is measured when it was due (at once if that
   * time has passed). A run whose templates cannot be found is left for a later resume.
   *
   * @return how many runs were restored
   */
  public int resume() {
    return resume(run -> true);
  }

  /**
   * Like {@link #resume()}, for the runs of the rollouts {@code mine} accepts: with shards, each
   * replica resumes the runs of the StatefulSets in the shards it holds.
   */
  public int resume(Predicate<RolloutContext> mine) {
    int restored = 0;
    for (RunRecord record : store.loadAll()) {
      if (!mine.test(record.context())) {
        continue;
      }
      Run run = new Run(record.runId(), record.templates(), record.context(), record.startedAt());
      if (runs.putIfAbsent(record.runId(), run) != null) {
        continue;
      }
      restored++;
      synchronized (run) {
        run.stopped = record.stopped();
        run.setupError = record.setupError();
        if (run.setupError != null) {
          continue;
        }
        try {
          run.metrics.addAll(prepare(record.templates(), record.context()));
        } catch (AnalysisSetupException e) {
          // Most likely the templates are not loaded yet (Git not synced). Recording an error here
          // would roll the canary back for a passing reason; leave the run unknown instead, so a
          // later resume continues it or the engine starts it again.
          runs.remove(record.runId());
          restored--;
          LOG.warn("analysis run {} not resumed yet: {}", record.runId(), e.getMessage());
          continue;
        }
        Map<String, RunRecord.MetricRecord> saved =
            record.metrics().stream()
                .collect(
                    Collectors.toMap(m -> m.template() + "/" + m.metric(), m -> m, (a, b) -> a));
        for (MetricRun metric : run.metrics) {
          RunRecord.MetricRecord previous = saved.get(metric.prepared.key());
          if (previous != null) {
            metric.tally = previous.tally();
            metric.recent.addAll(previous.recent());
            metric.nextAt = previous.nextMeasurementAt();
          } else {
            metric.nextAt =
                run.startedAt.plus(metric.prepared.metric().initialDelay().orElse(Duration.ZERO));
          }
        }
        if (run.stopped || verdictOf(run) != AnalysisVerdict.RUNNING) {
          continue;
        }
        Instant now = clock.instant();
        for (MetricRun metric : run.metrics) {
          if (metric.nextAt != null && !metric.phase(false).done()) {
            Duration delay = Duration.between(now, metric.nextAt);
            scheduleNext(run, metric, delay.isNegative() ? Duration.ZERO : delay);
          }
        }
      }
    }
    return restored;
  }

  @Override
  public Optional<AnalysisVerdict> verdict(String runId) {
    return read(runId, Optional.empty(), run -> Optional.of(verdictOf(run)));
  }

  @Override
  public Optional<RunOutcome> outcome(String runId) {
    return read(
        runId,
        Optional.empty(),
        run -> {
          AnalysisVerdict verdict = verdictOf(run);
          boolean failed = verdict == AnalysisVerdict.FAILED || verdict == AnalysisVerdict.ERROR;
          return Optional.of(new RunOutcome(verdict, failed ? failedMetricsOf(run) : List.of()));
        });
  }

  public Optional<RunSnapshot> snapshot(String runId) {
    return read(runId, Optional.empty(), run -> Optional.of(snapshotOf(run)));
  }

  /** What {@code view} makes of the run, read under its lock; {@code unknown} if there is none. */
  private <T> T read(String runId, T unknown, Function<Run, T> view) {
    Run run = runs.get(runId);
    if (run == null) {
      return unknown;
    }
    synchronized (run) {
      return view.apply(run);
    }
  }

  private static List<String> failedMetricsOf(Run run) {
    List<String> failed = new ArrayList<>();
    for (MetricRun metric : run.metrics) {
      MetricPhase phase = metric.phase(run.stopped);
      if (!metric.prepared.metric().dryRun()
          && (phase == MetricPhase.FAILED || phase == MetricPhase.ERROR)) {
        // Metric names are free text in Git; the reason reaches logs, Events and terminals.
        failed.add(
            Escapes.controls(metric.prepared.template() + "/" + metric.prepared.metric().name()));
      }
    }
    return List.copyOf(failed);
  }

  @Override
  public void stop(String runId) {
    Run run = runs.get(runId);
    if (run == null) {
      return;
    }
    synchronized (run) {
      if (!run.stopped) {
        run.stopped = true;
        cancelAll(run);
        save(run);
      }
    }
  }

  /**
   * How long a decided or stopped run is kept for {@code ordinal status} after it started; older
   * ones are dropped when a new run starts, so memory and the store stay bounded.
   */
  static final Duration FINISHED_RUN_RETENTION = Duration.ofHours(6);

  /** Drops runs that are decided or stopped and started before {@code cutoff}. */
  void forgetFinishedBefore(Instant cutoff) {
    for (Run run : List.copyOf(runs.values())) {
      boolean finished;
      synchronized (run) {
        AnalysisVerdict verdict = verdictOf(run);
        // An inconclusive run may still be waiting for a human's promote; keep it until stopped.
        finished =
            run.startedAt.isBefore(cutoff)
                && (run.stopped
                    || (verdict != AnalysisVerdict.RUNNING
                        && verdict != AnalysisVerdict.INCONCLUSIVE));
      }
      if (finished) {
        forget(run.runId);
      }
    }
  }

  /**
   * Stops measuring without touching the store: this instance lost leadership, and the runs now
   * belong to the new leader, who resumes them from the store. Saving here would overwrite its
   * progress with ours.
   */
  public void suspend() {
    suspend(run -> true);
  }

  /** Like {@link #suspend()}, for the runs of the rollouts in a shard this replica gave up. */
  public void suspend(Predicate<RolloutContext> theirs) {
    for (Run run : List.copyOf(runs.values())) {
      if (!theirs.test(run.context)) {
        continue;
      }
      synchronized (run) {
        run.detached = true;
        run.stopped = true;
        cancelAll(run);
      }
      runs.remove(run.runId, run);
    }
  }

  /** Drops a finished run from memory and from the store. */
  public void forget(String runId) {
    Run run = runs.remove(runId);
    if (run != null) {
      synchronized (run) {
        run.stopped = true;
        cancelAll(run);
      }
    }
    store.remove(runId);
  }

  public List<RunSnapshot> snapshots() {
    List<RunSnapshot> all = new ArrayList<>();
    for (Run run : runs.values()) {
      synchronized (run) {
        all.add(snapshotOf(run));
      }
    }
    all.sort(Comparator.comparing(RunSnapshot::startedAt).thenComparing(RunSnapshot::runId));
    return all;
  }

  private List<MetricRun> prepare(List<AnalysisRef> refs, RolloutContext context)
      throws AnalysisSetupException {
    if (refs.isEmpty()) {
      throw new AnalysisSetupException("the run names no AnalysisTemplate");
    }
    List<MetricRun> metrics = new ArrayList<>();
    for (AnalysisRef ref : refs) {
      AnalysisTemplate template =
          templates
              .find(ref.templateName(), context)
              .orElseThrow(
                  () ->
                      new AnalysisSetupException(
                          "no AnalysisTemplate named '" + ref.templateName() + "'"));
      for (PreparedMetric prepared : PreparedMetric.prepare(template, ref.args(), context)) {
        metrics.add(new MetricRun(prepared));
      }
    }
    return metrics;
  }

  private void scheduleNext(Run run, MetricRun metric, Duration delay) {
    metric.pending = scheduler.schedule(delay, () -> measure(run, metric));
  }

  /** Takes one measurement; runs on a scheduler thread. */
  private void measure(Run run, MetricRun metric) {
    synchronized (run) {
      if (run.stopped || metric.phase(false).done() || verdictOf(run) != AnalysisVerdict.RUNNING) {
        return;
      }
    }
    Instant at = clock.instant();
    Measurement measurement;
    try {
      MetricResult result = query(metric.prepared, at).toMetricResult();
      MeasurementRules.Classification classification = metric.prepared.classify(result);
      measurement =
          new Measurement(at, classification.phase(), result.toString(), classification.message());
    } catch (PrometheusException e) {
      measurement = new Measurement(at, MeasurementPhase.ERROR, "", e.getMessage());
    } catch (ConditionEvaluationException e) {
      // a rangeQuery start or end that names no time
      measurement = new Measurement(at, MeasurementPhase.ERROR, "", e.getMessage());
    } catch (RuntimeException e) {
      // A bug must not silently stall a run: it shows up as an error measurement.
      measurement = new Measurement(at, MeasurementPhase.ERROR, "", "unexpected " + e);
    }
    MetricPhase after;
    synchronized (run) {
      if (run.stopped) {
        return;
      }
      metric.tally = metric.tally.add(measurement.phase());
      metric.recent.addLast(measurement);
      while (metric.recent.size() > RECENT_MEASUREMENTS) {
        metric.recent.removeFirst();
      }
      LOG.info(
          "analysis run {} metric {}: {} ({}) -> {}",
          run.runId,
          metric.prepared.key(),
          measurement.phase(),
          measurement.message(),
          metric.decision(false).explanation());
      AnalysisVerdict verdict = verdictOf(run);
      if (verdict != AnalysisVerdict.RUNNING) {
        metric.nextAt = null;
        cancelAll(run);
      } else if (metric.phase(false).done()) {
        metric.nextAt = null;
      } else {
        // As Argo: after an error, retry in 10 s whatever the interval, so a blip costs little
        Duration interval =
            measurement.phase() == MeasurementPhase.ERROR
                ? DEFAULT_ERROR_RETRY_INTERVAL
                : metric.prepared.metric().interval().orElse(DEFAULT_INTERVAL);
        metric.nextAt = measurement.time().plus(interval);
        Duration delay = Duration.between(clock.instant(), metric.nextAt);
        scheduleNext(run, metric, delay.isNegative() ? Duration.ZERO : delay);
      }
      save(run);
      after = metric.phase(false);
    }
    try {
      listener.measured(
          run.context,
          metric.prepared.template(),
          metric.prepared.metric().name(),
          measurement,
          after,
          thresholds(metric.prepared));
    } catch (RuntimeException e) {
      LOG.warn("measurement listener failed on run {}: {}", run.runId, e.toString());
    }
  }

  /** The metric's instant query, or its range query with start and end as of {@code now}. */
  private QueryResult query(PreparedMetric metric, Instant now) throws PrometheusException {
    if (metric.range().isEmpty()) {
      return prometheus.query(metric.prometheus(), metric.query());
    }
    PreparedMetric.Range range = metric.range().get();
    return prometheus.queryRange(
        metric.prometheus(),
        metric.query(),
        range.start().evaluate(now),
        range.end().evaluate(now),
        range.step());
  }

  private static void cancelAll(Run run) {
    for (MetricRun metric : run.metrics) {
      if (metric.pending != null) {
        metric.pending.cancel();
        metric.pending = null;
      }
    }
  }

  private static AnalysisVerdict verdictOf(Run run) {
    if (run.setupError != null) {
      return AnalysisVerdict.ERROR;
    }
    return Verdicts.combine(
        run.metrics.stream()
            .map(
                m -> new Verdicts.MetricOutcome(m.phase(run.stopped), m.prepared.metric().dryRun()))
            .toList());
  }

  private void save(Run run) {
    if (run.detached) {
      return;
    }
    try {
      store.save(recordOf(run));
    } catch (RuntimeException e) {
      // The run goes on; only a restart would lose its progress.
      LOG.warn("cannot save analysis run {}: {}", run.runId, e.getMessage());
    }
  }

  private static RunRecord recordOf(Run run) {
    List<RunRecord.MetricRecord> metrics = new ArrayList<>();
    for (MetricRun metric : run.metrics) {
      metrics.add(
          new RunRecord.MetricRecord(
              metric.prepared.template(),
              metric.prepared.metric().name(),
              metric.tally,
              List.copyOf(metric.recent),
              metric.nextAt,
              Limits.of(metric.prepared.metric()),
              metric.decision(run.stopped)));
    }
    return new RunRecord(
        run.runId, run.refs, run.context, run.startedAt, run.stopped, run.setupError, metrics);
  }

  private static RunSnapshot snapshotOf(Run run) {
    List<RunSnapshot.MetricSnapshot> metrics = new ArrayList<>();
    for (MetricRun metric : run.metrics) {
      MetricTally.Decision decision = metric.decision(run.stopped);
      metrics.add(
          new RunSnapshot.MetricSnapshot(
              metric.prepared.template(),
              metric.prepared.metric().name(),
              metric.prepared.query(),
              metric.prepared.metric().dryRun(),
              decision.phase(),
              decision.rule(),
              decision.explanation(),
              Limits.of(metric.prepared.metric()),
              metric.tally,
              List.copyOf(metric.recent),
              metric.prepared.metric().successCondition(),
              metric.prepared.metric().failureCondition(),
              thresholds(metric.prepared)));
    }
    return new RunSnapshot(
        run.runId,
        verdictOf(run),
        run.startedAt,
        run.stopped,
        run.setupError == null ? "" : run.setupError,
        metrics);
  }

  private static List<RunSnapshot.Threshold> thresholds(PreparedMetric metric) {
    List<RunSnapshot.Threshold> all = new ArrayList<>();
    metric
        .successCondition()
        .ifPresent(
            c ->
                c.thresholds()
                    .forEach(t -> all.add(new RunSnapshot.Threshold(false, t.op(), t.value()))));
    metric
        .failureCondition()
        .ifPresent(
            c ->
                c.thresholds()
                    .forEach(t -> all.add(new RunSnapshot.Threshold(true, t.op(), t.value()))));
    return all;
  }

  private static final class Run {
    final String runId;
    final List<AnalysisRef> refs;
    final RolloutContext context;
    final Instant startedAt;
    final List<MetricRun> metrics = new ArrayList<>();
    boolean stopped;

    /** Set when leadership is lost: the run must not be saved any more. */
    boolean detached;

    String setupError;

    Run(String runId, List<AnalysisRef> refs, RolloutContext context, Instant startedAt) {
      this.runId = runId;
      this.refs = List.copyOf(refs);
      this.context = context;
      this.startedAt = startedAt;
    }
  }

  private static final class MetricRun {
    final PreparedMetric prepared;
    final Deque<Measurement> recent = new ArrayDeque<>();
    MetricTally tally = MetricTally.EMPTY;
    Instant nextAt;
    Scheduler.Cancellable pending;

    MetricRun(PreparedMetric prepared) {
      this.prepared = prepared;
    }

    /**
     * @param stopped whether the run was stopped, which ends a metric still running
     */
    MetricTally.Decision decision(boolean stopped) {
      return tally.decide(prepared.metric(), stopped);
    }

    MetricPhase phase(boolean stopped) {
      return decision(stopped).phase();
    }
  }
}
