package dev.ordinal.daemon;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.ordinal.cli.CliRun;
import dev.ordinal.git.TestRemote;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change Kubernetes forbids on a live StatefulSet (a new serviceName, a narrower selector), with
 * {@code immutableChanges: recreate}, on the real API server and StatefulSet controller: the daemon
 * recreates the StatefulSet with its pods running on, then rolls the pods to it through the
 * policy's canary steps, each held until promoted.
 */
@ControlPlaneTest
class RecreateRolloutIT {
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  static final String POLICY = Manifests.RECREATE_POLICY;

  @TempDir Path tmp;

  static String sts(String serviceName, String selector) {
    return Manifests.STS
        .replace("serviceName: db", "serviceName: " + serviceName)
        .replace("selector: {matchLabels: {app: db}}", "selector: {matchLabels: " + selector + "}")
        .replace("metadata: {labels: {app: db}}", "metadata: {labels: {app: db, tier: data}}");
  }

  @Test
  void aNewServiceNameRecreatesTheStatefulSetAndRollsThePodsThroughThePolicy(
      ControlPlane plane, TestNamespace ns) throws Exception {
    recreateAndRoll(plane, ns, "db-v2", "{app: db}");
  }

  @Test
  void aNarrowerSelectorIsAdoptedAndRolled(ControlPlane plane, TestNamespace ns) throws Exception {
    recreateAndRoll(plane, ns, "db", "{app: db, tier: data}");
  }

  private void recreateAndRoll(
      ControlPlane plane, TestNamespace ns, String serviceName, String selector) throws Exception {
    KubernetesClient client = plane.client();
    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"))) {
      remote.commit(
          "main", Map.of("db/sts.yaml", sts("db", "{app: db}"), "db/policy.yaml", POLICY));
      Path configFile = tmp.resolve("config.yaml");
      // one app, polled only when the test says
      Files.writeString(
          configFile,
          "{dataDir: '%s', listen: '127.0.0.1:0', pollInterval: 1h, ordinalNamespace: %s, apps: [{name: shop, repo: '%s', revision: main, path: db, namespace: %s, boundary: {recreates: true}}]}"
              .formatted(tmp.resolve("data"), ns.name(), remote.fileUrl(), ns.name()));
      try (PodSimulator pods = new PodSimulator(client, ns.name(), Duration.ofMillis(100));
          Daemon daemon = DaemonIT.start(plane, configFile)) {
        await(
            "the first commit applied",
            TIMEOUT,
            () -> client.apps().statefulSets().inNamespace(ns.name()).withName("db").get() != null,
            () -> "no StatefulSet db");
        String v1 =
            StatefulSets.awaitRolledOut(client, ns.name(), "db", TIMEOUT)
                .getStatus()
                .getCurrentRevision();
        awaitState(client, ns, "initialised", s -> s.phase() == Phase.HEALTHY);
        String oldUid = live(client, ns).getMetadata().getUid();
        Map<String, String> uids = podUids(client, ns);
        assertEquals(3, uids.size());

        remote.commit(
            "main", Map.of("db/sts.yaml", sts(serviceName, selector), "db/policy.yaml", POLICY));
        daemon.apps().get(0).poll();

        RolloutState first =
            awaitState(
                client,
                ns,
                "paused after the first canary step",
                s -> s.phase() == Phase.PAUSED && s.stepIndex() == 1);
        StatefulSet recreated = live(client, ns);
        assertNotEquals(oldUid, recreated.getMetadata().getUid(), "a new StatefulSet");
        assertEquals(serviceName, recreated.getSpec().getServiceName());
        assertEquals(v1, first.stableRevision(), "rolled from the revision that ran");
        assertEquals(v1, recreated.getStatus().getCurrentRevision(), "a rollback has v1 to go to");
        String v2 = first.targetRevision();
        assertNotEquals(v1, v2);
        await(
            "db-2 alone on the new revision, ready",
            TIMEOUT,
            () ->
                revisions(client, ns).equals(Map.of("db-0", v1, "db-1", v1, "db-2", v2))
                    && readyOn(client, ns, v2) == 1,
            () -> revisions(client, ns));
        Map<String, String> now = podUids(client, ns);
        assertEquals(uids.get("db-0"), now.get("db-0"), "not restarted before its step");
        assertEquals(uids.get("db-1"), now.get("db-1"), "not restarted before its step");
        assertNotEquals(uids.get("db-2"), now.get("db-2"));

        promote(client, ns);
        awaitState(
            client,
            ns,
            "paused after the second step",
            s -> s.phase() == Phase.PAUSED && s.stepIndex() == 3);
        assertEquals(Map.of("db-0", v1, "db-1", v2, "db-2", v2), revisions(client, ns));
        assertEquals(uids.get("db-0"), podUids(client, ns).get("db-0"));

        promote(client, ns);
        awaitState(
            client,
            ns,
            "healthy on the new revision",
            s -> s.phase() == Phase.HEALTHY && s.stableRevision().equals(v2));
        await(
            "every pod on the new revision, named under the new Service",
            TIMEOUT,
            () ->
                revisions(client, ns).equals(Map.of("db-0", v2, "db-1", v2, "db-2", v2))
                    && pods(client, ns).values().stream()
                        .allMatch(p -> serviceName.equals(p.getSpec().getSubdomain())),
            () -> revisions(client, ns));

        // the final plan is clean: Git and the recreated StatefulSet agree
        Path manifests = Files.createDirectories(tmp.resolve("final"));
        Files.writeString(manifests.resolve("sts.yaml"), sts(serviceName, selector));
        Files.writeString(manifests.resolve("policy.yaml"), POLICY);
        CliRun diff =
            CliRun.of(
                "diff",
                manifests.toString(),
                "--kubeconfig",
                plane.kubeconfig().toString(),
                "-n",
                ns.name(),
                "--app",
                "shop");
        assertEquals(0, diff.exitCode(), diff.out() + diff.err());
        assertEquals(
            v2, live(client, ns).getStatus().getUpdateRevision(), "no revision after the stamp");
      }
    }
  }

  private static StatefulSet live(KubernetesClient client, TestNamespace ns) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    assertNotNull(sts, "StatefulSet db");
    return sts;
  }

  private static void promote(KubernetesClient client, TestNamespace ns) {
    StatefulSets.edit(
        client,
        ns.name(),
        "db",
        s -> s.getMetadata().getAnnotations().put(Annotations.commandKey(Command.PROMOTE), "now"));
  }

  private static Map<String, Pod> pods(KubernetesClient client, TestNamespace ns) {
    Map<String, Pod> byName = new TreeMap<>();
    for (Pod p : client.pods().inNamespace(ns.name()).list().getItems()) {
      if (p.getMetadata().getDeletionTimestamp() == null) {
        byName.put(p.getMetadata().getName(), p);
      }
    }
    return byName;
  }

  private static Map<String, String> podUids(KubernetesClient client, TestNamespace ns) {
    Map<String, String> uids = new TreeMap<>();
    pods(client, ns).forEach((name, p) -> uids.put(name, p.getMetadata().getUid()));
    return uids;
  }

  private static Map<String, String> revisions(KubernetesClient client, TestNamespace ns) {
    return StatefulSets.revisions(client, ns.name(), "db");
  }

  private static long readyOn(KubernetesClient client, TestNamespace ns, String revision) {
    return pods(client, ns).values().stream()
        .filter(
            p ->
                revision.equals(
                    p.getMetadata().getLabels().get(StatefulSetObserver.REVISION_LABEL)))
        .filter(
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .count();
  }

  private static RolloutState awaitState(
      KubernetesClient client, TestNamespace ns, String what, Predicate<RolloutState> ok) {
    await(what, TIMEOUT, () -> state(client, ns).filter(ok).isPresent(), () -> state(client, ns));
    return state(client, ns).orElseThrow();
  }

  private static Optional<RolloutState> state(KubernetesClient client, TestNamespace ns) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    return sts == null
        ? Optional.empty()
        : Annotations.state(sts.getMetadata().getAnnotations()).map(RolloutState::fromJson);
  }
}
