package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the kubelet's part for one namespace of the test control plane: pods that the StatefulSet
 * controller creates are marked Running and Ready after a delay, or misbehave when a test asks (per
 * pod name or per controller revision). There is no container runtime; only pod status changes,
 * which is all the StatefulSet controller and Ordinal look at.
 */
public final class PodSimulator implements AutoCloseable {
  /** What a simulated pod does once created. */
  public enum Behaviour {
    /** Running and Ready after the ready delay. */
    READY,
    /** Running, containers started, never Ready (a failing readiness probe). */
    NEVER_READY,
    /** Never Ready; restartCount grows, state waiting CrashLoopBackOff. */
    CRASH_LOOP,
    /** Ready after the delay, then not Ready with a restart after {@link #failAfter}. */
    READY_THEN_FAIL
  }

  /**
   * One pod incarnation as the simulator saw it; {@code readyAt} is set once it became Ready: when
   * the status write that made it Ready returned, which {@code readyRequestedAt} was sent (the API
   * server committed it in between).
   */
  public record PodRecord(
      String name,
      String uid,
      String revision,
      Instant seenAt,
      Instant readyAt,
      Instant readyRequestedAt) {}

  private static final String REVISION_LABEL = "controller-revision-hash";

  private final KubernetesClient client;
  private final String namespace;
  private final Duration readyDelay;
  private volatile Duration failAfter = Duration.ofSeconds(2);
  private final Duration crashInterval = Duration.ofMillis(500);
  private final Map<String, Behaviour> byPod = new ConcurrentHashMap<>();
  private final Map<String, Behaviour> byRevision = new ConcurrentHashMap<>();
  private final Map<String, Behaviour> byImage = new ConcurrentHashMap<>();
  private final Map<String, Behaviour> byPodOnImage = new ConcurrentHashMap<>();
  private final Map<String, PodRecord> records = new ConcurrentHashMap<>();
  private final List<PodRecord> readyOrder = new CopyOnWriteArrayList<>();
  private final List<PodRecord> seenOrder = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "pod-simulator");
            t.setDaemon(true);
            return t;
          });
  private final Watch watch;

  public PodSimulator(KubernetesClient client, String namespace, Duration readyDelay) {
    this.client = client;
    this.namespace = namespace;
    this.readyDelay = readyDelay;
    this.watch = client.pods().inNamespace(namespace).watch(new PodWatcher());
    // Pods that existed before the watch started are picked up too.
    client.pods().inNamespace(namespace).list().getItems().forEach(this::onPodSeen);
  }

  public PodSimulator behaveForPod(String podName, Behaviour behaviour) {
    byPod.put(podName, behaviour);
    return this;
  }

  /** Pods whose first container runs {@code image} behave so: set it before the pods exist. */
  public PodSimulator behaveForImage(String image, Behaviour behaviour) {
    byImage.put(image, behaviour);
    return this;
  }

  /**
   * The pod named so behaves so while its first container runs {@code image}: a pod sent back to
   * another image behaves by the other rules again. Set it before the pod exists.
   */
  public PodSimulator behaveForPodOnImage(String podName, String image, Behaviour behaviour) {
    byPodOnImage.put(podName + "\n" + image, behaviour);
    return this;
  }

  public PodSimulator behaveForRevision(String revision, Behaviour behaviour) {
    byRevision.put(revision, behaviour);
    return this;
  }

  public PodSimulator failAfter(Duration delay) {
    this.failAfter = delay;
    return this;
  }

  /** Every pod incarnation seen, in the order they became Ready. */
  public List<PodRecord> readyOrder() {
    return List.copyOf(readyOrder);
  }

  /** Every pod incarnation, in the order the simulator first saw them (creation order). */
  public List<PodRecord> seenInOrder() {
    return List.copyOf(seenOrder);
  }

  /** Every pod incarnation seen so far, in no particular order. */
  public List<PodRecord> seen() {
    return new ArrayList<>(records.values());
  }

  private final class PodWatcher implements Watcher<Pod> {
    @Override
    public void eventReceived(Action action, Pod pod) {
      if (action == Action.ADDED || action == Action.MODIFIED) {
        onPodSeen(pod);
      }
    }

    @Override
    public void onClose(WatcherException cause) {}
  }

  private void onPodSeen(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    String revision =
        Optional.ofNullable(pod.getMetadata().getLabels())
            .map(l -> l.get(REVISION_LABEL))
            .orElse("");
    PodRecord seen =
        new PodRecord(pod.getMetadata().getName(), uid, revision, Instant.now(), null, null);
    PodRecord previous = records.putIfAbsent(uid, seen);
    if (previous != null) {
      return;
    }
    seenOrder.add(seen);
    Behaviour behaviour =
        byPodOnImage.getOrDefault(
            pod.getMetadata().getName() + "\n" + image(pod),
            byImage.getOrDefault(image(pod), behaviourOf(pod.getMetadata().getName(), revision)));
    scheduler.schedule(() -> start(pod, behaviour), readyDelay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String image(Pod pod) {
    return pod.getSpec() == null || pod.getSpec().getContainers().isEmpty()
        ? ""
        : pod.getSpec().getContainers().get(0).getImage();
  }

  private Behaviour behaviourOf(String podName, String revision) {
    Behaviour forPod = byPod.get(podName);
    if (forPod != null) {
      return forPod;
    }
    return byRevision.getOrDefault(revision, Behaviour.READY);
  }

  private void start(Pod pod, Behaviour behaviour) {
    String uid = pod.getMetadata().getUid();
    switch (behaviour) {
      case READY -> markReady(pod);
      case NEVER_READY -> setStatus(pod, false, 0, false);
      case CRASH_LOOP -> crash(pod, 1);
      case READY_THEN_FAIL -> {
        if (markReady(pod)) {
          scheduler.schedule(
              () -> {
                if (records.containsKey(uid)) {
                  setStatus(pod, false, 1, true);
                }
              },
              failAfter.toMillis(),
              TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private boolean markReady(Pod pod) {
    Instant requested = setStatus(pod, true, 0, true);
    if (requested == null) {
      return false;
    }
    Instant written = Instant.now();
    String uid = pod.getMetadata().getUid();
    PodRecord ready =
        records.computeIfPresent(
            uid,
            (k, r) ->
                new PodRecord(r.name(), r.uid(), r.revision(), r.seenAt(), written, requested));
    if (ready != null) {
      readyOrder.add(ready);
    }
    return true;
  }

  private void crash(Pod pod, int restarts) {
    if (setStatus(pod, false, restarts, false) != null) {
      scheduler.schedule(
          () -> crash(pod, restarts + 1), crashInterval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Writes the status subresource of the same pod incarnation (matched by uid). Returns when the
   * successful write was sent, or null when the pod is gone or was replaced, so loops for it stop.
   */
  private Instant setStatus(Pod original, boolean ready, int restarts, boolean running) {
    String name = original.getMetadata().getName();
    String uid = original.getMetadata().getUid();
    try {
      Pod current = client.pods().inNamespace(namespace).withName(name).get();
      if (current == null
          || !uid.equals(current.getMetadata().getUid())
          || current.getMetadata().getDeletionTimestamp() != null) {
        return null;
      }
      current.setStatus(status(current, ready, restarts, running));
      Instant requested = Instant.now();
      client.pods().inNamespace(namespace).resource(current).updateStatus();
      return requested;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return setStatus(original, ready, restarts, running);
      }
      if (e.getCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  private static PodStatus status(Pod pod, boolean ready, int restarts, boolean running) {
    String now = Instant.now().toString();
    List<ContainerStatus> containers = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      ContainerStatusBuilder b =
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withImageID("sim://" + c.getImage())
              .withContainerID("sim://" + pod.getMetadata().getUid() + "/" + c.getName())
              .withReady(ready)
              .withStarted(running)
              .withRestartCount(restarts);
      if (running) {
        b.withState(
            new ContainerStateBuilder().withNewRunning().withStartedAt(now).endRunning().build());
      } else {
        b.withState(
            new ContainerStateBuilder()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .withMessage("simulated crash loop")
                .endWaiting()
                .build());
        b.withLastState(
            new ContainerStateBuilder()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .withFinishedAt(now)
                .endTerminated()
                .build());
      }
      containers.add(b.build());
    }
    String readyValue = ready ? "True" : "False";
    List<PodCondition> conditions =
        List.of(
            condition("PodScheduled", "True", now),
            condition("Initialized", "True", now),
            condition("ContainersReady", readyValue, now),
            condition("Ready", readyValue, now));
    PodStatus status = new PodStatus();
    status.setPhase("Running");
    status.setConditions(conditions);
    status.setContainerStatuses(containers);
    status.setHostIP("127.0.0.1");
    status.setPodIP("127.0.0.1");
    status.setStartTime(
        pod.getStatus() != null && pod.getStatus().getStartTime() != null
            ? pod.getStatus().getStartTime()
            : now);
    return status;
  }

  private static PodCondition condition(String type, String value, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withLastTransitionTime(now)
        .build();
  }

  @Override
  public void close() {
    watch.close();
    scheduler.shutdownNow();
  }
}
