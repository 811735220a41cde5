package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollout preview of {@code diff} and {@code plan} for a pod template change under a policy.
 */
@ControlPlaneTest
class RolloutPlanIT {
  @TempDir Path dir;

  @Test
  void templateChangeUnderAPolicyShowsItsRolloutPlan(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) throws IOException {
    Files.writeString(dir.resolve("db.yaml"), Manifests.STS);
    Files.writeString(dir.resolve("policy.yaml"), Manifests.POLICY);
    // The StatefulSet as Ordinal would have applied it from Git.
    StatefulSet live =
        client
            .apps()
            .statefulSets()
            .load(new ByteArrayInputStream(Manifests.STS.getBytes(StandardCharsets.UTF_8)))
            .item();
    live.getMetadata().setNamespace(ns.name());
    live.getMetadata().getLabels().put("ordinal.dev/app", "ordinal");
    client
        .apps()
        .statefulSets()
        .inNamespace(ns.name())
        .resource(live)
        .fieldManager("ordinal")
        .forceConflicts()
        .serverSideApply();

    String kubeconfig = plane.kubeconfig().toString();
    String[] common = {dir.toString(), "--kubeconfig", kubeconfig, "-n", ns.name()};

    CliRun nothing = CliRun.of(concat("plan", common));
    assertEquals(0, nothing.exitCode(), nothing.out() + nothing.err());
    assertEquals("", nothing.out());

    // A scale change is no rollout: diff shows it, plan has nothing.
    Files.writeString(dir.resolve("db.yaml"), Manifests.STS.replace("replicas: 3", "replicas: 4"));
    CliRun scale = CliRun.of(concat("diff", common));
    assertEquals(1, scale.exitCode(), scale.err());
    assertFalse(scale.out().contains("Rollout plan"), scale.out());
    assertEquals(0, CliRun.of(concat("plan", common)).exitCode());

    // A new image is a rollout under policy 'canary'.
    Files.writeString(
        dir.resolve("db.yaml"),
        Manifests.STS.replace("registry.local/db:1", "registry.local/db:2"));
    String key = ns.name() + "/db";
    String expected =
        "Rollout plan for StatefulSet "
            + key
            + " (policy canary):\n"
            + "\n"
            + "### Rollout plan for "
            + key
            + " (3 replicas, RollingUpdate)\n"
            + "\n"
            + "1. canary 1 pod: db-2 → new revision (partition 3 → 2)\n"
            + "2. pause until 'ordinal promote "
            + key
            + "'\n";

    CliRun diff = CliRun.of(concat("diff", common));
    assertEquals(1, diff.exitCode(), diff.err());
    assertTrue(
        diff.out().contains("+                image: registry.local/db:2")
            || diff.out().contains("image: registry.local/db:2"),
        diff.out());
    int section = diff.out().indexOf("\nRollout plan for StatefulSet ");
    assertTrue(section > 0, diff.out());
    assertTrue(diff.out().substring(section + 1).startsWith(expected), diff.out());
    assertTrue(
        diff.out()
            .contains(
                "A failed revision is not retried until Git changes or 'ordinal retry "
                    + key
                    + "'."),
        diff.out());

    CliRun plan = CliRun.of(concat("plan", common));
    assertEquals(1, plan.exitCode(), plan.err());
    assertTrue(plan.out().startsWith(expected), plan.out());
    assertEquals(
        diff.out().substring(section + 1),
        plan.out(),
        "plan prints exactly the sections diff appends");
    assertFalse(plan.out().contains("+++"), plan.out());

    CliRun bare = CliRun.of(concat("diff", concat("--no-rollout-plan", common)));
    assertEquals(1, bare.exitCode());
    assertEquals(diff.out().substring(0, section), bare.out());
  }

  @Test
  void templateChangeWithoutAPolicyHasNoRolloutPlan(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) throws IOException {
    String sts = Manifests.STS.replace("  annotations: {ordinal.dev/policy: canary}\n", "");
    Files.writeString(dir.resolve("db.yaml"), sts);
    StatefulSet live =
        client
            .apps()
            .statefulSets()
            .load(new ByteArrayInputStream(sts.getBytes(StandardCharsets.UTF_8)))
            .item();
    live.getMetadata().setNamespace(ns.name());
    live.getMetadata().getLabels().put("ordinal.dev/app", "ordinal");
    client
        .apps()
        .statefulSets()
        .inNamespace(ns.name())
        .resource(live)
        .fieldManager("ordinal")
        .forceConflicts()
        .serverSideApply();

    Files.writeString(
        dir.resolve("db.yaml"), sts.replace("registry.local/db:1", "registry.local/db:2"));
    String[] common = {
      dir.toString(), "--kubeconfig", plane.kubeconfig().toString(), "-n", ns.name()
    };
    CliRun diff = CliRun.of(concat("diff", common));
    assertEquals(1, diff.exitCode(), diff.err());
    assertFalse(diff.out().contains("Rollout plan"), diff.out());
    CliRun plan = CliRun.of(concat("plan", common));
    assertEquals(0, plan.exitCode(), plan.err());
    assertEquals("", plan.out());
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
