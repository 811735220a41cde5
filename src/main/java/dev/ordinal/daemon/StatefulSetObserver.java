package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.backup.BackupManager;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.BackupView;
import dev.ordinal.rollout.Observation;
import dev.ordinal.rollout.PodView;
import dev.ordinal.rollout.RolloutEngine;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.StatefulSetView;
import dev.ordinal.rollout.Step;
import dev.ordinal.rollout.UpdateStrategy;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a fabric8 StatefulSet, its pods, its annotations and the analysis runner's verdicts onto the
 * engine's {@link Observation}. Pure apart from the injected clock and the {@link AnalysisRuns}
 * port.
 */
public final class StatefulSetObserver {
  public static final String REVISION_LABEL = "controller-revision-hash";

  private final AnalysisRuns analysis;
  private final BackupManager backups;
  private final Clock clock;

  public StatefulSetObserver(AnalysisRuns analysis, Clock clock) {
    this(analysis, null, clock);
  }

  /**
   * @param backups reports snapshot sets, hook runs and restored claims; null without backup
   *     support
   */
  public StatefulSetObserver(AnalysisRuns analysis, BackupManager backups, Clock clock) {
    this.analysis = analysis;
    this.backups = backups;
    this.clock = clock;
  }

  /** The stored state of a StatefulSet: absent, parsed, or garbled (then Ordinal must not act). */
  public record StoredState(Optional<RolloutState> state, String raw, String error) {
    public boolean garbled() {
      return error != null;
    }
  }

  /** Reads and parses the state annotation. */
  public static StoredState storedState(StatefulSet sts) {
    Optional<String> raw = Annotations.state(sts.getMetadata().getAnnotations());
    if (raw.isEmpty()) {
      return new StoredState(Optional.empty(), null, null);
    }
    try {
      return new StoredState(Optional.of(RolloutState.fromJson(raw.get())), raw.get(), null);
    } catch (RuntimeException e) {
      return new StoredState(Optional.empty(), raw.get(), String.valueOf(e.getMessage()));
    }
  }

  /**
   * The observation, or empty when the controller has not yet published an update revision (a
   * StatefulSet just created): nothing to decide until it has.
   */
  public Optional<Observation> observe(
      StatefulSet sts, List<Pod> pods, Optional<RolloutState> state, RolloutSpec spec) {
    Optional<StatefulSetView> view = view(sts);
    if (view.isEmpty()) {
      return Optional.empty();
    }
    List<PodView> podViews = new ArrayList<>();
    for (Pod pod : pods) {
      if (selects(sts, pod)) {
        podView(pod).ifPresent(podViews::add);
      }
    }
    Map<String, AnalysisVerdict> verdicts = new HashMap<>();
    Map<String, List<String>> failedMetrics = new HashMap<>();
    if (state.isPresent()) {
      for (String runId : runIds(spec, state.get())) {
        String scoped =
            scopedRunId(sts.getMetadata().getNamespace(), sts.getMetadata().getName(), runId);
        // One read: a verdict and the metrics that decided it, as they stood together.
        analysis
            .outcome(scoped)
            .ifPresent(
                outcome -> {
                  verdicts.put(runId, outcome.verdict());
                  if (!outcome.failedMetrics().isEmpty()) {
                    failedMetrics.put(runId, outcome.failedMetrics());
                  }
                });
      }
    }
    // Backups are read only for a StatefulSet whose policy or state has them: a cheap cache list.
    boolean volumes =
        spec.backup().isPresent()
            || state.flatMap(RolloutState::restoring).isPresent()
            || state.flatMap(RolloutState::lastBackup).isPresent();
    BackupView backupView =
        backups != null && volumes
            ? backups.view(sts.getMetadata().getNamespace(), sts.getMetadata().getName(), state)
            : BackupView.NONE;
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    return Optional.of(
        new Observation(
            clock.instant(),
            view.get(),
            podViews,
            verdicts,
            Annotations.commands(annotations),
            Annotations.commandArgs(annotations),
            backupView,
            failedMetrics));
  }

  /**
   * The run ids the engine may look at for this state: the background run and each analysis step's
   * run of the current rollout.
   */
  static Set<String> runIds(RolloutSpec spec, RolloutState state) {
    Set<String> ids = new LinkedHashSet<>();
    if (!spec.backgroundAnalysis().isEmpty()) {
      ids.add(RolloutEngine.backgroundRunId(state));
    }
    for (int i = 0; i < spec.steps().size(); i++) {
      if (spec.steps().get(i) instanceof Step.Analysis) {
        ids.add(RolloutEngine.stepRunId(state, i));
      }
    }
    return ids;
  }

  /** The engine's view of a StatefulSet; empty until the controller has published revisions. */
  public static Optional<StatefulSetView> view(StatefulSet sts) {
    StatefulSetStatus status = sts.getStatus();
    if (status == null || status.getUpdateRevision() == null) {
      return Optional.empty();
    }
    int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
    StatefulSetUpdateStrategy strategy = sts.getSpec().getUpdateStrategy();
    boolean onDelete = strategy != null && "OnDelete".equals(strategy.getType());
    RollingUpdateStatefulSetStrategy rolling =
        strategy == null ? null : strategy.getRollingUpdate();
    int partition = partition(sts);
    int maxUnavailable =
        resolveMaxUnavailable(rolling == null ? null : rolling.getMaxUnavailable(), replicas);
    Long generation = sts.getMetadata().getGeneration();
    Long observed = status.getObservedGeneration();
    Map<String, String> labels = sts.getMetadata().getLabels();
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    return Optional.of(
        new StatefulSetView(
            sts.getMetadata().getNamespace(),
            sts.getMetadata().getName(),
            replicas,
            onDelete ? UpdateStrategy.ON_DELETE : UpdateStrategy.ROLLING_UPDATE,
            partition,
            maxUnavailable,
            status.getCurrentRevision(),
            status.getUpdateRevision(),
            generation == null ? 0 : generation,
            observed == null ? 0 : observed,
            status.getReadyReplicas() == null ? 0 : status.getReadyReplicas(),
            status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas(),
            new RolloutSource(
                labels == null ? null : labels.get(PlanOptions.APP_LABEL),
                annotations == null ? null : annotations.get(Annotations.TEMPLATE_COMMIT)),
            syncHold(annotations),
            claimTemplates(sts),
            sts.getSpec().getPersistentVolumeClaimRetentionPolicy() != null
                && "Delete"
                    .equals(
                        sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled())));
  }

  /** The names of the volumeClaimTemplates, in order. */
  private static List<String> claimTemplates(StatefulSet sts) {
    List<String> names = new ArrayList<>();
    if (sts.getSpec().getVolumeClaimTemplates() != null) {
      for (PersistentVolumeClaim t : sts.getSpec().getVolumeClaimTemplates()) {
        if (t.getMetadata() != null && t.getMetadata().getName() != null) {
          names.add(t.getMetadata().getName());
        }
      }
    }
    return names;
  }

  /** The sync hold's expiry; an unreadable value counts as expired (null): never hold forever. */
  private static Instant syncHold(Map<String, String> annotations) {
    String value = annotations == null ? null : annotations.get(Annotations.SYNC_HOLD);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value.trim());
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  /** The StatefulSet's rolling-update partition; 0 when unset, as the API server defaults it. */
  public static int partition(StatefulSet sts) {
    var strategy = sts.getSpec() == null ? null : sts.getSpec().getUpdateStrategy();
    if (strategy == null
        || strategy.getRollingUpdate() == null
        || strategy.getRollingUpdate().getPartition() == null) {
      return 0;
    }
    return strategy.getRollingUpdate().getPartition();
  }

  /** maxUnavailable as a pod count: percentages round down as the controller does, at least 1. */
  static int resolveMaxUnavailable(IntOrString value, int replicas) {
    if (value == null) {
      return 1;
    }
    if (value.getIntVal() != null) {
      return Math.max(1, value.getIntVal());
    }
    String s = value.getStrVal();
    if (s == null) {
      return 1;
    }
    try {
      if (s.endsWith("%")) {
        int percent = Integer.parseInt(s.substring(0, s.length() - 1).trim());
        return Math.max(1, replicas * percent / 100);
      }
      return Math.max(1, Integer.parseInt(s.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** Whether the StatefulSet's selector (matchLabels) selects the pod and the name fits. */
  static boolean selects(StatefulSet sts, Pod pod) {
    String prefix = sts.getMetadata().getName() + "-";
    String name = pod.getMetadata().getName();
    if (name == null || !name.startsWith(prefix)) {
      return false;
    }
    LabelSelector selector = sts.getSpec().getSelector();
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (selector != null && selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (labels == null || !e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The engine's view of a pod: the one place a pod's revision, readiness and restarts are read.
   */
  public static Optional<PodView> podView(Pod pod) {
    String name = pod.getMetadata().getName();
    int dash = name.lastIndexOf('-');
    int ordinal;
    try {
      ordinal = Integer.parseInt(name.substring(dash + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return Optional.empty();
    }
    Map<String, String> labels = pod.getMetadata().getLabels();
    String revision = labels == null ? null : labels.get(REVISION_LABEL);
    boolean ready = false;
    int restarts = 0;
    if (pod.getStatus() != null) {
      if (pod.getStatus().getConditions() != null) {
        for (PodCondition c : pod.getStatus().getConditions()) {
          if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
            ready = true;
          }
        }
      }
      if (pod.getStatus().getContainerStatuses() != null) {
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
          if (cs.getRestartCount() != null) {
            restarts = Math.max(restarts, cs.getRestartCount());
          }
        }
      }
    }
    return Optional.of(
        new PodView(
            name,
            ordinal,
            revision == null ? "" : revision,
            ready,
            restarts,
            pod.getMetadata().getDeletionTimestamp() != null));
  }

  /**
   * The engine's run ids name a revision, which is the same for two StatefulSets of one name and
   * template in different namespaces; the analysis runner sees them prefixed with namespace and
   * name so that one rollout can never read another's verdict.
   */
  static String scopedRunId(String namespace, String name, String runId) {
    return namespace + "/" + name + "/" + runId;
  }
}
