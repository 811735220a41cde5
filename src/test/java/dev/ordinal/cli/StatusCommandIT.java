package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.TestStates;
import dev.ordinal.rollout.VerdictRecord;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code ordinal status} against a real StatefulSet controller, with simulated kubelets. */
@ControlPlaneTest
class StatusCommandIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  /** A 3-replica StatefulSet, rolled out on v1, then v2 with partition 2: db-2 is the canary. */
  private static String[] canary(KubernetesClient client, String ns) {
    client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .resource(StatefulSets.statefulSet("db", 3, "registry.local/db:1"))
        .create();
    String stable =
        StatefulSets.awaitRolledOut(client, ns, "db", TIMEOUT).getStatus().getCurrentRevision();
    StatefulSets.edit(
        client,
        ns,
        "db",
        sts -> {
          sts.getSpec()
              .setUpdateStrategy(
                  new StatefulSetUpdateStrategyBuilder()
                      .withType("RollingUpdate")
                      .withNewRollingUpdate()
                      .withPartition(2)
                      .endRollingUpdate()
                      .build());
          sts.getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .setImage("registry.local/db:2");
        });
    StatefulSets.await(
        "a new update revision",
        TIMEOUT,
        () -> !stable.equals(get(client, ns).getStatus().getUpdateRevision()),
        () -> get(client, ns).getStatus());
    String target = get(client, ns).getStatus().getUpdateRevision();
    awaitReadyOn(client, ns, "db-2", target);
    return new String[] {stable, target};
  }

  private static void awaitReadyOn(
      KubernetesClient client, String ns, String pod, String revision) {
    StatefulSets.await(
        pod + " ready on " + revision,
        TIMEOUT,
        () -> {
          var p = client.pods().inNamespace(ns).withName(pod).get();
          return p != null
              && revision.equals(p.getMetadata().getLabels().get("controller-revision-hash"))
              && p.getStatus() != null
              && p.getStatus().getConditions() != null
              && p.getStatus().getConditions().stream()
                  .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        },
        () -> StatefulSets.revisions(client, ns, "db"));
  }

  private static StatefulSet get(KubernetesClient client, String ns) {
    return client.apps().statefulSets().inNamespace(ns).withName("db").get();
  }

  private static void writeState(KubernetesClient client, String ns, String value) {
    String patch =
        "{\"metadata\":{\"annotations\":{\""
            + Annotations.STATE
            + "\":"
            + com.fasterxml.jackson.databind.node.TextNode.valueOf(value)
            + "}}}";
    client
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .withName("db")
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  private static RolloutState state(
      String stable,
      String target,
      int step,
      int count,
      String detail,
      List<VerdictRecord> verdicts) {
    return TestStates.of(
        stable,
        target,
        step,
        count,
        Phase.PROGRESSING,
        PhaseReason.CANARY_STEP,
        detail,
        false,
        Set.of(),
        verdicts,
        T0);
  }

  @Test
  void showsPhaseStepAndPodsOfARealCanary(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) {
    try (PodSimulator sim = new PodSimulator(client, ns.name(), Duration.ofMillis(100))) {
      String[] rev = canary(client, ns.name());
      writeState(
          client, ns.name(), state(rev[0], rev[1], 0, 3, "canary 1 pod", List.of()).toJson());
      StatefulSets.await(
          "status to settle",
          TIMEOUT,
          () -> get(client, ns.name()).getStatus().getReadyReplicas() == 3,
          () -> get(client, ns.name()).getStatus());

      CliRun run =
          CliRun.of("status", "db", "--kubeconfig", plane.kubeconfig().toString(), "-n", ns.name());
      assertEquals(0, run.exitCode(), run.err());
      assertEquals(
          "StatefulSet "
              + ns.name()
              + "/db\n"
              + "Progressing  step 1/3  canary 1/3 pods updated, 1 ready  (partition 2)\n"
              + "\n"
              + "Phase:      Progressing\n"
              + "Reason:     step 1/3: canary 1 pod\n"
              + "Step:       1 of 3\n"
              + "Stable:     "
              + rev[0]
              + "\n"
              + "Target:     "
              + rev[1]
              + "\n"
              + "Replicas:   3 (RollingUpdate, partition 2)\n"
              + "Pods:       2 stable (2 ready), 1 new (1 ready)\n"
              + "  db-0  ready        stable\n"
              + "  db-1  ready        stable\n"
              + "  db-2  ready        new\n"
              + "Analysis:   no verdicts recorded\n"
              + "Commands:   none pending\n",
          run.out());

      CliRun table =
          CliRun.of("status", "--kubeconfig", plane.kubeconfig().toString(), "-n", ns.name());
      assertEquals(0, table.exitCode(), table.err());
      List<String> lines = table.out().lines().toList();
      assertEquals("Namespace " + ns.name(), lines.get(0));
      assertTrue(
          lines.get(1).startsWith("NAME  PHASE        STEP  UPDATED  READY  PARTITION  STABLE"),
          table.out());
      assertTrue(
          lines
              .get(2)
              .matches(
                  "db    Progressing  1/3   1/3      1/3    2          "
                      + rev[0]
                      + " +"
                      + rev[1]
                      + " +-"),
          table.out());
    }
  }

  @Test
  void withoutOrGarbledStateAndMissing(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) {
    String kubeconfig = plane.kubeconfig().toString();
    try (PodSimulator sim = new PodSimulator(client, ns.name(), Duration.ofMillis(100))) {
      client
          .apps()
          .statefulSets()
          .inNamespace(ns.name())
          .resource(StatefulSets.statefulSet("db", 2, "registry.local/db:1"))
          .create();
      StatefulSets.awaitRolledOut(client, ns.name(), "db", TIMEOUT);

      CliRun plain = CliRun.of("status", "db", "--kubeconfig", kubeconfig, "-n", ns.name());
      assertEquals(0, plain.exitCode(), plain.err());
      assertEquals(
          "Healthy  2/2 pods updated, 2 ready  (partition 0)  [no Ordinal rollout state]",
          plain.out().lines().toList().get(1));
      assertTrue(
          plain.out().contains("No Ordinal rollout state is recorded on this StatefulSet"),
          plain.out());

      CliRun none = CliRun.of("status", "--kubeconfig", kubeconfig, "-n", ns.name());
      assertEquals(
          "No StatefulSet in namespace " + ns.name() + " has an Ordinal rollout state.\n",
          none.out());

      writeState(client, ns.name(), "{\"v\":1,\"phase\":\"Sideways\"}");
      CliRun garbled = CliRun.of("status", "db", "--kubeconfig", kubeconfig, "-n", ns.name());
      assertEquals(0, garbled.exitCode(), garbled.err());
      assertTrue(
          garbled.out().contains("is unreadable: rollout state lacks 'phase'")
              || garbled
                  .out()
                  .contains("is unreadable: rollout state has unknown phase 'Sideways'"),
          garbled.out());
      assertTrue(garbled.out().contains("[rollout state unreadable]"), garbled.out());

      CliRun missing = CliRun.of("status", "nope", "--kubeconfig", kubeconfig, "-n", ns.name());
      assertEquals(1, missing.exitCode());
      assertEquals("StatefulSet " + ns.name() + "/nope not found\n", missing.err());
    }
  }

  @Test
  void jsonAndYamlCarryTheStateAndATimeoutEndsByHowTheRolloutEnded(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) throws Exception {
    try (PodSimulator sim = new PodSimulator(client, ns.name(), Duration.ofMillis(100))) {
      String[] rev = canary(client, ns.name());
      writeState(
          client, ns.name(), state(rev[0], rev[1], 0, 3, "canary 1 pod", List.of()).toJson());
      String[] where = {"--kubeconfig", plane.kubeconfig().toString(), "-n", ns.name()};

      CliRun json = CliRun.of(concat(new String[] {"status", "db", "-o", "json"}, where));
      assertEquals(0, json.exitCode(), json.err());
      JsonNode doc = new ObjectMapper().readTree(json.out());
      assertEquals("db", doc.get("name").asText());
      assertEquals(3, doc.get("pods").size(), json.out());
      assertEquals(2, doc.get("partition").asInt());
      assertEquals(
          RolloutState.fromJson(doc.get("rolloutState").toString()).phase(), Phase.PROGRESSING);
      CliRun all = CliRun.of(concat(new String[] {"status", "-o", "yaml"}, where));
      assertEquals(0, all.exitCode(), all.err());
      assertTrue(all.out().startsWith("- namespace: "), all.out());

      // Still at its first step: the timeout passes first.
      String[] watch = {"status", "db", "--watch", "--timeout", "1s"};
      CliRun going = CliRun.of(concat(watch, where));
      assertEquals(3, going.exitCode(), going.out());
      assertTrue(going.err().contains("timed out after 1s"), going.err());

      writeState(
          client,
          ns.name(),
          TestStates.of(
                  rev[0],
                  rev[1],
                  0,
                  3,
                  Phase.ROLLED_BACK,
                  PhaseReason.ANALYSIS_FAILED,
                  "error-rate failed",
                  false,
                  Set.of(rev[1]),
                  List.of(),
                  T0)
              .toJson());
      assertEquals(1, CliRun.of(concat(watch, where)).exitCode(), "rolled back fails the job");

      // Healthy, and the controller's latest revision is the stable one: nothing left to do.
      writeState(client, ns.name(), RolloutState.healthy(rev[1], T0).toJson());
      CliRun healthy = CliRun.of(concat(watch, where));
      assertEquals(0, healthy.exitCode(), healthy.out() + healthy.err());
    }
  }

  private static String[] concat(String[] first, String[] second) {
    String[] all = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  @Test
  void watchRerendersOnChangesUntilInterrupted(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) throws Exception {
    try (PodSimulator sim = new PodSimulator(client, ns.name(), Duration.ofMillis(300))) {
      String[] rev = canary(client, ns.name());
      writeState(
          client, ns.name(), state(rev[0], rev[1], 0, 3, "canary 1 pod", List.of()).toJson());

      try (LiveCli watch =
          new LiveCli(
              "status",
              "db",
              "--watch",
              "--kubeconfig",
              plane.kubeconfig().toString(),
              "-n",
              ns.name())) {
        watch.awaitOut(
            "Progressing  step 1/3  canary 1/3 pods updated, 1 ready  (partition 2)", TIMEOUT);

        // Update 1: the next canary step, as Ordinal would write it: partition 1 and the state with
        // it.
        StatefulSets.edit(
            client,
            ns.name(),
            "db",
            sts -> {
              sts.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(1);
              sts.getMetadata()
                  .getAnnotations()
                  .put(
                      Annotations.STATE,
                      state(
                              rev[0],
                              rev[1],
                              2,
                              3,
                              "canary 2 pods",
                              List.of(TestStates.verdict(2, "smoke", AnalysisVerdict.SUCCESSFUL)))
                          .toJson());
            });
        watch.awaitOut(
            "Progressing  step 3/3  canary 2/3 pods updated, 2 ready  (partition 1)", TIMEOUT);
        assertTrue(watch.out().contains("  step-2 smoke SUCCESSFUL\n"), watch.out());

        // Update 2: a user's command shows as pending.
        client
            .apps()
            .statefulSets()
            .inNamespace(ns.name())
            .withName("db")
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                RolloutCommands.patch(dev.ordinal.rollout.Command.PROMOTE_FULL, T0));
        watch.awaitOut("Commands:   promote-full (requested 2026-11-25T10:00:00Z)", TIMEOUT);

        assertEquals(0, watch.interruptAndJoin(Duration.ofSeconds(10)));
        // Intermediate views are printed in order, and a view is printed only when it changed.
        String out = watch.out();
        assertTrue(out.indexOf("step 1/3") < out.indexOf("step 3/3"), out);
        List<String> views = List.of(out.split("\n\n(?=StatefulSet )"));
        for (int i = 1; i < views.size(); i++) {
          assertTrue(!views.get(i).equals(views.get(i - 1)), "repeated view:\n" + views.get(i));
        }
      }
    }
  }
}
