package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.rollout.Action;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.Step;
import dev.ordinal.shard.LeaseTiming;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Ordinal killed right after each kind of write resumes from the state annotation in a fresh
 * instance, with no step skipped or repeated; and with leader election only the leader acts.
 */
@ControlPlaneTest
class RolloutRecoveryIT {

  static final RolloutSpec STEPS =
      RolloutSpec.of(
          Step.Canary.pods(1),
          Step.Pause.of(Duration.ofSeconds(1)),
          Step.Canary.percent(40),
          Step.Canary.percent(80));

  private static Predicate<Action> nth(Class<? extends Action> kind, int n) {
    AtomicInteger seen = new AtomicInteger();
    return a -> kind.isInstance(a) && seen.incrementAndGet() == n;
  }

  private void killedAfterThenResumed(KubernetesClient client, String ns, Predicate<Action> kill)
      throws Exception {
    try (RolloutHarness h = new RolloutHarness(client, ns, "kill", STEPS)) {
      String v1 = h.create(5, "registry.local/kill:1", false);
      RolloutLoop first = h.controller("first", client, kill);
      first.start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/kill:2");
      await("first instance killed", RolloutHarness.TIMEOUT, first::isClosed, h::describeLog);
      long byFirst = h.count("first");
      h.controller("second").start();
      h.awaitState(
          "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
      await("all pods on v2", RolloutHarness.TIMEOUT, () -> h.allOn(v2, 5), h::pods);
      assertEquals(
          List.of(4, 3, 1, 0),
          h.partitions(),
          "each partition written exactly once: " + h.describeLog());
      assertEquals(byFirst, h.count("first"), "the killed instance did nothing after its close");
      assertTrue(h.count("second") > 0);
      long started = h.events().stream().filter("RolloutStarted"::equals).count();
      assertEquals(1, started, "events " + h.events());
    }
  }

  @Test
  void killedAfterSetPartition(KubernetesClient client, TestNamespace ns) throws Exception {
    killedAfterThenResumed(client, ns.name(), nth(Action.SetPartition.class, 2));
  }

  @Test
  void killedAfterUpdateState(KubernetesClient client, TestNamespace ns) throws Exception {
    // 1: Initialized, 2: RolloutStarted, 3: first progress/step-completed write
    killedAfterThenResumed(client, ns.name(), nth(Action.UpdateState.class, 3));
  }

  @Test
  void killedAfterDeletePod(KubernetesClient client, TestNamespace ns) throws Exception {
    RolloutSpec spec = RolloutSpec.of(Step.Canary.pods(3), Step.Pause.untilPromoted());
    try (RolloutHarness h = new RolloutHarness(client, ns.name(), "del", spec)) {
      String v1 = h.create(4, "registry.local/del:1", false);
      RolloutLoop first = h.controller("first", client, nth(Action.DeletePod.class, 1));
      first.start();
      h.awaitState("initialised", s -> s.targetRevision().equals(v1));
      String v2 = h.apply("registry.local/del:2");
      h.awaitState("paused with 3 canaries", s -> s.phase() == Phase.PAUSED);
      h.annotate(Annotations.commandKey(Command.ABORT), "now");
      await(
          "first instance killed after its first pod deletion",
          RolloutHarness.TIMEOUT,
          first::isClosed,
          h::describeLog);
      assertEquals(List.of("del-3"), h.deletions());
      h.controller("second").start();
      h.awaitState("rolled back", s -> s.phase() == Phase.ROLLED_BACK);
      await("all pods on v1", RolloutHarness.TIMEOUT, () -> h.allOn(v1, 4), h::pods);
      assertEquals(
          List.of("del-3", "del-2", "del-1"),
          h.deletions(),
          "each pod deleted once, highest first: " + h.describeLog());
      assertTrue(h.state().orElseThrow().failedRevisions().contains(v2));
    }
  }

  @Test
  void onlyTheLeaderActs(ControlPlane plane, TestNamespace ns) throws Exception {
    KubernetesClient c1 = plane.newClient();
    KubernetesClient c2 = plane.newClient();
    LeaseTiming timing =
        new LeaseTiming(Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500));
    try (RolloutHarness h = new RolloutHarness(plane.client(), ns.name(), "lead", STEPS)) {
      String v1 = h.create(3, "registry.local/lead:1", false);
      try (Leadership one = elect(c1, ns.name(), "one", timing, () -> h.controller("one", c1))) {
        await("one leads", RolloutHarness.TIMEOUT, one::isLeading, () -> "");
        try (Leadership two = elect(c2, ns.name(), "two", timing, () -> h.controller("two", c2))) {
          h.awaitState("initialised", s -> s.targetRevision().equals(v1));
          String v2 = h.apply("registry.local/lead:2");
          h.awaitState(
              "healthy on v2", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
          assertTrue(!two.isLeading());
          assertTrue(h.count("one") > 0);
          assertEquals(0, h.count("two"), "the follower never acts: " + h.log);

          // the leader goes away: the other takes over and finishes the next rollout alone
          one.close();
          await("two leads", RolloutHarness.TIMEOUT, two::isLeading, () -> "");
          long byOne = h.count("one");
          String v3 = h.apply("registry.local/lead:3");
          h.awaitState(
              "healthy on v3", s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v3));
          assertEquals(byOne, h.count("one"), "the old leader stopped acting");
          assertTrue(h.count("two") > 0);
        }
      } finally {
        c1.close();
        c2.close();
      }
    }
  }

  @Test
  void losingTheLeaseStopsActingAtOnce(ControlPlane plane, TestNamespace ns) throws Exception {
    KubernetesClient c1 = plane.newClient();
    LeaseTiming timing =
        new LeaseTiming(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(300));
    RolloutSpec gated = RolloutSpec.of(Step.Canary.pods(1), Step.Pause.untilPromoted());
    try (RolloutHarness h = new RolloutHarness(plane.client(), ns.name(), "lost", gated)) {
      String v1 = h.create(3, "registry.local/lost:1", false);
      RolloutLoop[] built = new RolloutLoop[1];
      try (Leadership one =
          elect(c1, ns.name(), "one", timing, () -> built[0] = h.controller("one", c1))) {
        h.awaitState("initialised", s -> s.targetRevision().equals(v1));
        // someone else takes the lease (as after a network partition): the renewal fails
        Resource<Lease> lease =
            plane.client().leases().inNamespace(ns.name()).withName("ordinal-rollout");
        takeOver(lease, "intruder");
        await(
            "one stops leading",
            RolloutHarness.TIMEOUT,
            () -> !one.isLeading() && built[0].isClosed(),
            () -> "");
        long before = h.count("one");
        h.apply("registry.local/lost:2");
        // the controller has processed the new template; a leader would have acted on it by now
        StatefulSets.awaitObserved(plane.client(), ns.name(), "lost", RolloutHarness.TIMEOUT);
        assertEquals(
            before, h.count("one"), "no action after the lease was lost: " + h.describeLog());
        assertEquals(3, h.sts().getSpec().getUpdateStrategy().getRollingUpdate().getPartition());
      } finally {
        c1.close();
      }
    }
  }

  /**
   * Campaigns for the lease "ordinal-rollout" and runs a fresh rollout loop while leading, as the
   * daemon does.
   */
  private static Leadership elect(
      KubernetesClient client,
      String namespace,
      String identity,
      LeaseTiming timing,
      Supplier<RolloutLoop> loops) {
    Leadership leadership =
        new KubeCluster(client).leadership(namespace, "ordinal-rollout", identity, timing);
    AtomicReference<RolloutLoop> current = new AtomicReference<>();
    leadership.start(
        () -> {
          RolloutLoop loop = loops.get();
          current.set(loop);
          loop.start();
        },
        () -> {
          RolloutLoop loop = current.getAndSet(null);
          if (loop != null) {
            loop.close();
          }
        });
    return leadership;
  }

  /**
   * Takes the lease over as another holder would: read, change, replace under the read's
   * resourceVersion, and on a 409 (the elector renewed in between) read again. A blind edit races
   * the elector's renewals.
   */
  private static void takeOver(Resource<Lease> lease, String holder) {
    long deadline = System.nanoTime() + RolloutHarness.TIMEOUT.toNanos();
    while (true) {
      var current = lease.get();
      current.getSpec().setHolderIdentity(holder);
      current.getSpec().setLeaseDurationSeconds(3600);
      current.getSpec().setRenewTime(ZonedDateTime.now());
      try {
        lease.lockResourceVersion(current.getMetadata().getResourceVersion()).replace(current);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }
}
