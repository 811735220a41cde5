package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Plays the Job controller and its pods for one namespace of the test control plane, as {@link
 * PodSimulator} plays the kubelet: every Job is marked Complete after a delay, or Failed when a
 * test asks (by a predicate on the Job). Only the status is written, which is all Ordinal reads.
 */
public final class JobRunner implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final Duration delay;
  private final List<Predicate<Job>> failing = new CopyOnWriteArrayList<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final List<String> finished = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "job-runner");
            t.setDaemon(true);
            return t;
          });
  private final Watch watch;

  public JobRunner(KubernetesClient client, String namespace, Duration delay) {
    this.client = client;
    this.namespace = namespace;
    this.delay = delay;
    this.watch =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Job job) {
                    if (action == Action.ADDED && seen.add(job.getMetadata().getUid())) {
                      scheduler.schedule(
                          () -> finish(job), delay.toMillis(), TimeUnit.MILLISECONDS);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  /** Jobs that match fail instead of completing. */
  public JobRunner failWhen(Predicate<Job> job) {
    failing.add(job);
    return this;
  }

  /** Jobs with this label value fail. */
  public JobRunner failLabelled(String key, String value) {
    return failWhen(
        j ->
            j.getMetadata().getLabels() != null
                && value.equals(j.getMetadata().getLabels().get(key)));
  }

  /** "name: Complete" or "name: Failed", in the order the runner finished them. */
  public List<String> finished() {
    return List.copyOf(finished);
  }

  private void finish(Job job) {
    boolean fail = failing.stream().anyMatch(p -> p.test(job));
    String now = Instant.now().toString();
    JobStatus status = new JobStatus();
    status.setStartTime(now);
    List<JobCondition> conditions =
        fail
            ? List.of(
                condition("FailureTarget", "BackoffLimitExceeded", now),
                condition("Failed", "BackoffLimitExceeded", now))
            : List.of(
                condition("SuccessCriteriaMet", "CompletionsReached", now),
                condition("Complete", "CompletionsReached", now));
    status.setConditions(conditions);
    if (fail) {
      status.setFailed(1);
    } else {
      status.setSucceeded(1);
      status.setCompletionTime(now);
    }
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(job.getMetadata().getName())
        .editStatus(
            j -> {
              j.setStatus(status);
              return j;
            });
    finished.add(job.getMetadata().getName() + ": " + (fail ? "Failed" : "Complete"));
  }

  private static JobCondition condition(String type, String reason, String now) {
    return new JobConditionBuilder()
        .withType(type)
        .withStatus("True")
        .withReason(reason)
        .withMessage(reason)
        .withLastProbeTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  @Override
  public void close() {
    watch.close();
    scheduler.shutdownNow();
  }
}
