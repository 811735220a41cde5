package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.TestNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@ControlPlaneTest
class DiffCommandIT {
  private static final String CONFIG_MAP =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: app-config}
      data:
        mode: primary
      """;

  @TempDir Path dir;

  @Test
  void exitCodesFollowKubectlDiff(ControlPlane plane, TestNamespace ns) throws IOException {
    Files.writeString(dir.resolve("cm.yaml"), CONFIG_MAP);
    String[] diff = {
      "diff", dir.toString(), "--kubeconfig", plane.kubeconfig().toString(), "-n", ns.name()
    };

    CliRun create = CliRun.of(diff);
    assertEquals(1, create.exitCode(), create.err());
    assertTrue(
        create.out().contains("+++ desired/ConfigMap/" + ns.name() + "/app-config"), create.out());
    assertTrue(create.out().contains("+  mode: primary"), create.out());

    // Apply what Git says, as the daemon would, then the diff is empty.
    plane
        .client()
        .configMaps()
        .inNamespace(ns.name())
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("app-config")
                .addToLabels("ordinal.dev/app", "ordinal")
                .endMetadata()
                .addToData("mode", "primary")
                .build())
        .fieldManager("ordinal")
        .serverSideApply();
    CliRun same = CliRun.of(diff);
    assertEquals(0, same.exitCode(), same.out() + same.err());
    assertEquals("", same.out());

    Files.writeString(dir.resolve("cm.yaml"), CONFIG_MAP.replace("primary", "replica"));
    CliRun changed = CliRun.of(diff);
    assertEquals(1, changed.exitCode());
    assertTrue(
        changed.out().contains("-  mode: primary") && changed.out().contains("+  mode: replica"),
        changed.out());
  }

  @Test
  void unreachableClusterExitsTwo(TestNamespace ns) throws IOException {
    Files.writeString(dir.resolve("cm.yaml"), CONFIG_MAP);
    Path kubeconfig = dir.resolve("nowhere.yaml");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: x, user: {token: t}}]
        contexts: [{name: x, context: {cluster: x, user: x}}]
        current-context: x
        """);
    Path manifests = Files.createDirectory(dir.resolve("m"));
    Files.move(dir.resolve("cm.yaml"), manifests.resolve("cm.yaml"));
    CliRun run =
        CliRun.of(
            "diff", manifests.toString(), "--kubeconfig", kubeconfig.toString(), "-n", ns.name());
    assertEquals(2, run.exitCode(), run.out());
    assertTrue(run.err().contains("cannot reach the cluster"), run.err());
  }
}
