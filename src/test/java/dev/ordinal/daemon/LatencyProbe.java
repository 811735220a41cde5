package dev.ordinal.daemon;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Stands between the rollout loop and its cluster ports to timestamp, per StatefulSet, what the
 * loop does between a watch event and a write: when it was told of a change, when a worker took the
 * StatefulSet, every request it made (fresh reads, writes, Events) with start and end. For {@link
 * RolloutLoopBench}: it only records and passes every call on unchanged.
 */
final class LatencyProbe implements Workloads, ClusterEvents {
  /** What happened. */
  enum Kind {
    /** The watch told the loop of a change to the StatefulSet or one of its pods. */
    TOLD,
    /** A worker read the StatefulSet from the cache: a decision pass begins. */
    TAKEN,
    FRESH_GET,
    FRESH_LIST,
    WRITE,
    EVENT_POST
  }

  /**
   * One call or signal: {@code end} equals {@code start} for signals; {@code detail} says what a
   * write changed ("partition=0", "annotations") or that it lost to a conflict.
   */
  record Mark(Kind kind, Instant start, Instant end, String detail) {}

  private final Workloads workloads;
  private final ClusterEvents events;
  private final Predicate<String> recorded;
  private final Map<String, List<Mark>> marks = new ConcurrentHashMap<>();

  /**
   * @param recorded the StatefulSet keys to record, to keep the many unsampled ones out
   */
  LatencyProbe(Workloads workloads, ClusterEvents events, Predicate<String> recorded) {
    this.workloads = workloads;
    this.events = events;
    this.recorded = recorded;
  }

  /** What was recorded for {@code key}, in the order the calls ended. */
  List<Mark> marks(String key) {
    return List.copyOf(marks.getOrDefault(key, List.of()));
  }

  private void mark(String key, Kind kind, Instant start, String detail) {
    if (recorded.test(key)) {
      marks
          .computeIfAbsent(key, k -> new CopyOnWriteArrayList<>())
          .add(new Mark(kind, start, Instant.now(), detail));
    }
  }

  @Override
  public AutoCloseable watch(Set<String> namespaces, Listener listener) {
    return workloads.watch(
        namespaces,
        new Listener() {
          @Override
          public void changed(String key) {
            mark(key, Kind.TOLD, Instant.now(), "");
            listener.changed(key);
          }

          @Override
          public void deleted(String key) {
            listener.deleted(key);
          }
        });
  }

  @Override
  public Optional<StatefulSet> statefulSet(String key, Read read) {
    Instant start = Instant.now();
    Optional<StatefulSet> sts = workloads.statefulSet(key, read);
    mark(key, read == Read.CACHED ? Kind.TAKEN : Kind.FRESH_GET, start, "");
    return sts;
  }

  @Override
  public List<Pod> pods(StatefulSet sts, Read read) {
    Instant start = Instant.now();
    List<Pod> pods = workloads.pods(sts, read);
    if (read == Read.FRESH) {
      mark(key(sts), Kind.FRESH_LIST, start, "");
    }
    return pods;
  }

  @Override
  public WriteResult write(StatefulSet observed, RolloutWrite write) {
    Instant start = Instant.now();
    WriteResult result = workloads.write(observed, write);
    String what =
        result instanceof WriteResult.Conflict
            ? "conflict"
            : write.partition() != null ? "partition=" + write.partition() : "annotations";
    mark(key(observed), Kind.WRITE, start, what);
    return result;
  }

  @Override
  public PodDeletion deletePod(String namespace, String pod, String revision) {
    return workloads.deletePod(namespace, pod, revision);
  }

  @Override
  public void post(Involved involved, Type type, String reason, String message) {
    Instant start = Instant.now();
    events.post(involved, type, reason, message);
    mark(involved.namespace() + "/" + involved.name(), Kind.EVENT_POST, start, reason);
  }

  private static String key(StatefulSet sts) {
    return sts.getMetadata().getNamespace() + "/" + sts.getMetadata().getName();
  }
}
