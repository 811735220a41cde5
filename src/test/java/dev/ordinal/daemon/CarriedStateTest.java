package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.Step;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An UpdateState is written with the next decision's write, not on its own: a canary turning Ready
 * costs one StatefulSet write (step completed and the next partition), the state still goes in the
 * same write as the step, and nothing is told before that write succeeded. A write that lost to a
 * change the cache already holds is decided again on the cache, without a request.
 */
class CarriedStateTest {
  private static final String KEY = "prod/db";
  private static final RolloutSpec CANARY_THEN_FULL = RolloutSpec.of(Step.Canary.pods(1));

  private final OneStatefulSet cluster = new OneStatefulSet();
  private final List<String> told = new CopyOnWriteArrayList<>();
  private final List<String> published = new CopyOnWriteArrayList<>();
  private final RolloutLoop loop =
      new RolloutLoop(
              cluster,
              new EventBus()
                  .subscribe(
                      o -> published.add(o.action() + " " + ((RolloutEvent) o.event()).reason())),
              Set.of("prod"),
              s -> Optional.of(CANARY_THEN_FULL),
              new FakeAnalysisRuns(),
              Clock.systemUTC(),
              1)
          .onAction((key, action) -> told.add(action.getClass().getSimpleName()));

  @BeforeEach
  void start() {
    loop.start();
  }

  @AfterEach
  void close() {
    loop.close();
  }

  @Test
  void aReadyCanaryCompletesItsStepAndMovesThePartitionInOneWrite() {
    atCanaryStepWithTheCanaryReady();

    loop.process(KEY);

    assertEquals(1, cluster.writes.size(), "writes " + cluster.writes);
    Workloads.RolloutWrite write = cluster.writes.get(0);
    assertEquals(0, write.partition());
    RolloutState state = RolloutState.fromJson(write.set().get(Annotations.STATE));
    assertEquals(1, state.stepIndex(), "the state of full promotion, written with its partition");
    assertEquals(List.of("UpdateState", "SetPartition"), told);
    assertEquals(
        List.of(
            "UpdateState StepCompleted",
            "SetPartition PromotingFull",
            // the partition write bumped the generation: nothing to do until the controller saw it
            "Wait Waiting"),
        published);
  }

  @Test
  void aConflictLosesTheCarriedStateTooAndTheNewerCacheDecidesItAgain() {
    atCanaryStepWithTheCanaryReady();
    cluster.statusWrittenBeforeOurWrite = true;

    loop.process(KEY);

    assertEquals(1, cluster.writes.size(), "one write landed: " + cluster.writes);
    assertEquals(1, cluster.conflicts, "the first lost to the controller's status write");
    assertEquals(0, cluster.freshReads, "the cache already held what won");
    assertEquals(0, cluster.writes.get(0).partition());
    assertEquals(
        1, RolloutState.fromJson(cluster.writes.get(0).set().get(Annotations.STATE)).stepIndex());
    assertEquals(List.of("UpdateState", "SetPartition"), told, "told once, after the write");
    assertEquals(
        List.of("UpdateState StepCompleted", "SetPartition PromotingFull", "Wait Waiting"),
        published);
  }

  @Test
  void aConflictTheCacheHasNotSeenIsDecidedAgainOnAFreshRead() {
    atCanaryStepWithTheCanaryReady();
    cluster.cacheLags = true;
    cluster.statusWrittenBeforeOurWrite = true;

    loop.process(KEY);

    assertEquals(1, cluster.conflicts);
    assertTrue(cluster.freshReads > 0, "read from the API server");
    assertEquals(1, cluster.writes.size(), "writes " + cluster.writes);
    assertEquals(0, cluster.writes.get(0).partition());
    assertEquals(List.of("UpdateState", "SetPartition"), told);
  }

  @Test
  void aStateChangeFollowedByAWaitIsWrittenAlone() {
    cluster.set(statefulSet());
    cluster.pods = List.of(pod(0, "v1", true), pod(1, "v1", true));

    loop.process(KEY);

    assertEquals(1, cluster.writes.size(), "writes " + cluster.writes);
    assertNull(cluster.writes.get(0).partition());
    RolloutState state = RolloutState.fromJson(cluster.writes.get(0).set().get(Annotations.STATE));
    assertEquals(Phase.HEALTHY, state.phase());
    assertEquals(List.of("UpdateState"), told);
    assertEquals(List.of("UpdateState Initialized", "Wait Waiting"), published);
  }

  @Test
  void aNewRevisionStartsTheRolloutAndHoldsTheCanaryPartitionInOneWrite() {
    cluster.set(statefulSet());
    cluster.pods = List.of(pod(0, "v1", true), pod(1, "v1", true));
    loop.process(KEY);
    cluster.newRevision("v2");

    loop.process(KEY);

    assertEquals(2, cluster.writes.size(), "writes " + cluster.writes);
    Workloads.RolloutWrite write = cluster.writes.get(1);
    assertEquals(1, write.partition());
    RolloutState state = RolloutState.fromJson(write.set().get(Annotations.STATE));
    assertEquals("v2", state.targetRevision());
    assertEquals(List.of("UpdateState", "UpdateState", "SetPartition"), told);
    assertTrue(
        published.containsAll(List.of("UpdateState RolloutStarted", "SetPartition CanaryStep")),
        "published " + published);
  }

  @Test
  void writesComposeInOrder() {
    RolloutExecutor.Carried carried =
        new RolloutExecutor.Carried(
            new Workloads.RolloutWrite(null, Map.of("a", "1", "b", "1"), Set.of("c")), List.of());
    Workloads.RolloutWrite both =
        carried.then(new Workloads.RolloutWrite(3, Map.of("c", "2"), Set.of("b")));

    assertEquals(Map.of("a", "1", "c", "2"), both.set());
    assertEquals(Set.of("b"), both.remove());
    assertEquals(3, both.partition());
  }

  @Test
  void theProjectionKeepsTheVersionAndGenerationTheWriteWillGoUnder() {
    StatefulSet observed = statefulSet();
    observed.getMetadata().setAnnotations(new HashMap<>(Map.of("keep", "k", "drop", "d")));

    StatefulSet projected =
        RolloutExecutor.projected(
            observed, new Workloads.RolloutWrite(null, Map.of("new", "n"), Set.of("drop")));

    assertEquals(Map.of("keep", "k", "new", "n"), projected.getMetadata().getAnnotations());
    assertEquals(
        observed.getMetadata().getResourceVersion(), projected.getMetadata().getResourceVersion());
    assertEquals(observed.getMetadata().getGeneration(), projected.getMetadata().getGeneration());
    assertEquals(Map.of("keep", "k", "drop", "d"), observed.getMetadata().getAnnotations());
  }

  /** Rollout at its canary step (partition 1), the canary db-1 Ready on v2. */
  private void atCanaryStepWithTheCanaryReady() {
    cluster.set(statefulSet());
    cluster.pods = List.of(pod(0, "v1", true), pod(1, "v1", true));
    loop.process(KEY);
    cluster.newRevision("v2");
    loop.process(KEY);
    cluster.observed();
    cluster.pods = List.of(pod(0, "v1", true), pod(1, "v2", true));
    cluster.writes.clear();
    told.clear();
    published.clear();
  }

  /** db with two replicas on v1, its partition held at 2 as Git leaves it. */
  private static StatefulSet statefulSet() {
    StatefulSet sts = StatefulSetObserverTest.sts(null);
    sts.getMetadata().setUid("uid-db");
    sts.getMetadata().setResourceVersion("1");
    sts.getMetadata().setGeneration(1L);
    sts.getSpec().setReplicas(2);
    sts.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2);
    sts.getStatus().setObservedGeneration(1L);
    sts.getStatus().setCurrentRevision("v1");
    sts.getStatus().setUpdateRevision("v1");
    return sts;
  }

  /** A pod of db, not restarting (its restart counts stay below a crash loop's). */
  private static Pod pod(int ordinal, String revision, boolean ready) {
    return StatefulSetObserverTest.pod("db-" + ordinal, revision, ready, 0, false);
  }

  /**
   * One StatefulSet "prod/db" held as the API server would: writes under a stale resourceVersion
   * conflict, an accepted write bumps it (and the generation for a partition), and the cache is the
   * server's latest unless told to lag.
   */
  private static final class OneStatefulSet implements Workloads {
    private StatefulSet server;
    private StatefulSet cache;
    List<Pod> pods = List.of();
    final List<RolloutWrite> writes = new ArrayList<>();
    int conflicts;
    int freshReads;

    /** The watch no longer brings changes to the cache. */
    boolean cacheLags;

    /** The next write loses to a status write of the StatefulSet controller that lands first. */
    boolean statusWrittenBeforeOurWrite;

    void newRevision(String revision) {
      StatefulSet next = copy();
      next.getMetadata().setGeneration(next.getMetadata().getGeneration() + 1);
      next.getStatus().setObservedGeneration(next.getMetadata().getGeneration());
      next.getStatus().setUpdateRevision(revision);
      next.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2);
      set(bumped(next));
    }

    /** The StatefulSet controller saw the last spec write. */
    void observed() {
      StatefulSet next = copy();
      next.getStatus().setObservedGeneration(next.getMetadata().getGeneration());
      set(bumped(next));
    }

    /** The server's object from now on, and the cache's unless it lags. */
    void set(StatefulSet sts) {
      server = sts;
      if (!cacheLags) {
        cache = sts;
      }
    }

    private StatefulSet copy() {
      return new StatefulSetBuilder(server).build();
    }

    private static StatefulSet bumped(StatefulSet sts) {
      long rv = Long.parseLong(sts.getMetadata().getResourceVersion());
      sts.getMetadata().setResourceVersion(Long.toString(rv + 1));
      return sts;
    }

    @Override
    public AutoCloseable watch(Set<String> namespaces, Listener listener) {
      return () -> {};
    }

    @Override
    public Optional<StatefulSet> statefulSet(String key, Read read) {
      if (read == Read.FRESH) {
        freshReads++;
        return Optional.of(copy());
      }
      return Optional.of(new StatefulSetBuilder(cache).build());
    }

    @Override
    public List<Pod> pods(StatefulSet sts, Read read) {
      return pods;
    }

    @Override
    public WriteResult write(StatefulSet observed, RolloutWrite write) {
      if (statusWrittenBeforeOurWrite) {
        statusWrittenBeforeOurWrite = false;
        set(bumped(copy()));
      }
      if (!observed
          .getMetadata()
          .getResourceVersion()
          .equals(server.getMetadata().getResourceVersion())) {
        conflicts++;
        return new WriteResult.Conflict();
      }
      if (write.isEmpty()) {
        return new WriteResult.Written(copy());
      }
      writes.add(write);
      StatefulSet next = copy();
      Map<String, String> annotations =
          new HashMap<>(
              next.getMetadata().getAnnotations() == null
                  ? Map.of()
                  : next.getMetadata().getAnnotations());
      annotations.putAll(write.set());
      write.remove().forEach(annotations::remove);
      next.getMetadata().setAnnotations(annotations);
      if (write.partition() != null) {
        next.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(write.partition());
        next.getMetadata().setGeneration(next.getMetadata().getGeneration() + 1);
      }
      set(bumped(next));
      return new WriteResult.Written(copy());
    }

    @Override
    public PodDeletion deletePod(String namespace, String pod, String revision) {
      throw new AssertionError("no pod is deleted under RollingUpdate");
    }
  }
}
