package dev.ordinal.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.RolloutEvent;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one engine {@link Action} out against the cluster (see the executor contract in {@code
 * dev.ordinal.rollout}). Every StatefulSet write is a single JSON merge patch that carries the
 * resourceVersion read for the observation, so the API server rejects it with 409 when anything
 * changed since; the caller then re-reads, re-observes and re-decides instead of retrying.
 */
public final class RolloutExecutor {
  /** Field manager of rollout writes; distinct from the Git applier's {@code ordinal}. */
  public static final String FIELD_MANAGER = "ordinal-rollout";

  /** Event source component. */
  public static final String COMPONENT = "ordinal";

  private static final Logger log = LoggerFactory.getLogger(RolloutExecutor.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the caller does next. */
  public enum Next {
    /** Decide again at once with {@link Result#sts()}. */
    DECIDE_AGAIN,
    /** Decide again after {@link Result#recheckAfter()} or on the next watch event. */
    WAIT,
    /** The StatefulSet changed under us: re-read it, re-observe, re-decide. */
    CONFLICT
  }

  /** The outcome of one execution; {@code sts} is the object as last written (or the input). */
  public record Result(Next next, StatefulSet sts, Duration recheckAfter) {}

  private final KubernetesClient client;
  private final AnalysisRuns analysis;
  private final Clock clock;
  private final String instance;

  public RolloutExecutor(
      KubernetesClient client, AnalysisRuns analysis, Clock clock, String instance) {
    this.client = Objects.requireNonNull(client);
    this.analysis = Objects.requireNonNull(analysis);
    this.clock = Objects.requireNonNull(clock);
    this.instance = instance == null ? COMPONENT : instance;
  }

  /**
   * Executes {@code action} decided from {@code observed} (the object whose resourceVersion the
   * write must match).
   */
  /** The last wait logged per StatefulSet, so a repeated identical wait is not logged again. */
  private final java.util.Map<String, String> lastWait =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Drops what is remembered about a StatefulSet Ordinal no longer manages ("ns/name"). */
  void forget(String key) {
    lastWait.remove(key);
  }

  public Result execute(Action action, StatefulSet observed) {
    String ns = observed.getMetadata().getNamespace();
    String name = observed.getMetadata().getName();
    String line = action.logLine();
    if (action instanceof Action.Wait && line.equals(lastWait.get(ns + "/" + name))) {
      // The same wait, re-decided on another watch event: one line per decision, not per event.
      log.debug("{}/{} step={} {}", ns, name, action.state().stepIndex(), line);
    } else {
      log.info("{}/{} step={} {}", ns, name, action.state().stepIndex(), line);
    }
    if (action instanceof Action.Wait) {
      lastWait.put(ns + "/" + name, line);
    } else {
      lastWait.remove(ns + "/" + name);
    }
    if (action instanceof Action.Wait) {
      return new Result(Next.WAIT, observed, ((Action.Wait) action).recheckAfter());
    }
    try {
      if (action instanceof Action.SetPartition) {
        StatefulSet written = write(observed, action, ((Action.SetPartition) action).partition());
        event(observed, action.event());
        // the controller now moves pods; their watch events bring us back
        return new Result(Next.DECIDE_AGAIN, written, Duration.ZERO);
      }
      if (action instanceof Action.UpdateState) {
        StatefulSet written = write(observed, action, null);
        event(observed, action.event());
        return new Result(Next.DECIDE_AGAIN, written, Duration.ZERO);
      }
      if (action instanceof Action.DeletePod) {
        Action.DeletePod delete = (Action.DeletePod) action;
        StatefulSet written = write(observed, action, null);
        boolean deleted = deletePod(ns, delete.podName(), delete.podRevision());
        if (deleted) {
          event(observed, action.event());
        }
        // wait for the pod's watch events rather than deciding on a cache that still lists it
        return new Result(Next.WAIT, written, Duration.ofSeconds(10));
      }
      if (action instanceof Action.StartAnalysis) {
        Action.StartAnalysis start = (Action.StartAnalysis) action;
        StatefulSet written = write(observed, action, null);
        analysis.start(
            StatefulSetObserver.scopedRunId(ns, name, start.runId()),
            start.templates(),
            new AnalysisRuns.RolloutContext(
                ns,
                name,
                start.state().targetRevision(),
                start.state().stableRevision(),
                canaryPods(observed, start.state().targetRevision()),
                canaryPods(observed, start.state().stableRevision())));
        event(observed, action.event());
        return new Result(Next.DECIDE_AGAIN, written, Duration.ZERO);
      }
      if (action instanceof Action.StopAnalysis) {
        Action.StopAnalysis stop = (Action.StopAnalysis) action;
        StatefulSet written = write(observed, action, null);
        analysis.stop(StatefulSetObserver.scopedRunId(ns, name, stop.runId()));
        event(observed, action.event());
        return new Result(Next.DECIDE_AGAIN, written, Duration.ZERO);
      }
      throw new IllegalArgumentException("unknown action " + action);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        log.info(
            "{}/{} conflict writing {}: re-reading and deciding again",
            ns,
            name,
            action.getClass().getSimpleName());
        return new Result(Next.CONFLICT, observed, Duration.ZERO);
      }
      throw e;
    }
  }

  /**
   * The one StatefulSet write of an action: partition (when given), the state annotation when it
   * changed, consumed command annotations removed, all guarded by the observed resourceVersion.
   * Skipped when there is nothing to change.
   */
  StatefulSet write(StatefulSet observed, Action action, Integer partition) {
    Map<String, String> annotations = observed.getMetadata().getAnnotations();
    String stateJson = action.state().toJson();
    String stored = annotations == null ? null : annotations.get(Annotations.STATE);
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("resourceVersion", observed.getMetadata().getResourceVersion());
    ObjectNode ann = JSON.createObjectNode();
    if (!stateJson.equals(stored)) {
      ann.put(Annotations.STATE, stateJson);
    }
    for (Command c : action.consumes()) {
      String key = Annotations.commandKey(c);
      if (annotations != null && annotations.containsKey(key)) {
        ann.putNull(key);
      }
    }
    boolean changed = ann.size() > 0;
    if (changed) {
      metadata.set("annotations", ann);
    }
    if (partition != null && partition != currentPartition(observed)) {
      patch
          .putObject("spec")
          .putObject("updateStrategy")
          .putObject("rollingUpdate")
          .put("partition", partition);
      changed = true;
    }
    if (!changed) {
      return observed;
    }
    PatchContext ctx =
        new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE)
            .withFieldManager(FIELD_MANAGER)
            .build();
    return client
        .apps()
        .statefulSets()
        .inNamespace(observed.getMetadata().getNamespace())
        .withName(observed.getMetadata().getName())
        .patch(ctx, patch.toString());
  }

  /** The StatefulSet's rolling-update partition; 0 when unset, as the API server defaults it. */
  public static int currentPartition(StatefulSet sts) {
    var strategy = sts.getSpec() == null ? null : sts.getSpec().getUpdateStrategy();
    if (strategy == null
        || strategy.getRollingUpdate() == null
        || strategy.getRollingUpdate().getPartition() == null) {
      return 0;
    }
    return strategy.getRollingUpdate().getPartition();
  }

  /**
   * Deletes the pod only if a fresh read shows it still on {@code revision} and not already
   * terminating, with that read's resourceVersion as precondition.
   */
  boolean deletePod(String ns, String podName, String revision) {
    Pod fresh = client.pods().inNamespace(ns).withName(podName).get();
    if (fresh == null) {
      log.info("{}/{} already gone; not deleting", ns, podName);
      return false;
    }
    Map<String, String> labels = fresh.getMetadata().getLabels();
    String actual = labels == null ? null : labels.get(StatefulSetObserver.REVISION_LABEL);
    if (!revision.equals(actual) || fresh.getMetadata().getDeletionTimestamp() != null) {
      log.info(
          "{}/{} is now revision {} (terminating={}); not deleting",
          ns,
          podName,
          actual,
          fresh.getMetadata().getDeletionTimestamp() != null);
      return false;
    }
    try {
      client
          .pods()
          .inNamespace(ns)
          .withName(podName)
          .lockResourceVersion(fresh.getMetadata().getResourceVersion())
          .delete();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 || e.getCode() == 404) {
        log.info("{}/{} changed before delete ({}); deciding again", ns, podName, e.getCode());
        return false;
      }
      throw e;
    }
  }

  private List<String> canaryPods(StatefulSet sts, String revision) {
    List<String> names = new ArrayList<>();
    try {
      for (Pod p :
          client
              .pods()
              .inNamespace(sts.getMetadata().getNamespace())
              .withLabels(sts.getSpec().getSelector().getMatchLabels())
              .list()
              .getItems()) {
        Map<String, String> l = p.getMetadata().getLabels();
        if (l != null && revision.equals(l.get(StatefulSetObserver.REVISION_LABEL))) {
          names.add(p.getMetadata().getName());
        }
      }
    } catch (KubernetesClientException e) {
      log.warn("could not list canary pods of {}: {}", sts.getMetadata().getName(), e.getMessage());
    }
    names.sort(null);
    return names;
  }

  /** Posts a core v1 Event about the StatefulSet; failures are logged, never fatal. */
  public void event(StatefulSet sts, RolloutEvent e) {
    String ns = sts.getMetadata().getNamespace();
    String now = clock.instant().toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(ns)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      sts.getMetadata().getName()
                          + "."
                          + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
                  .withNamespace(ns)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion("apps/v1")
                  .withKind("StatefulSet")
                  .withName(sts.getMetadata().getName())
                  .withNamespace(ns)
                  .withUid(sts.getMetadata().getUid())
                  .endInvolvedObject()
                  .withReason(e.reason())
                  .withMessage(truncate(e.message(), 1024))
                  .withType(e.type().displayName())
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .withReportingInstance(truncate(instance, 128))
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException ex) {
      log.warn(
          "could not post event {} for {}/{}: {}",
          e.reason(),
          ns,
          sts.getMetadata().getName(),
          ex.getMessage());
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
