package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
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

    // Nothing is live yet, so nothing says which app this is: the diff asks.
    CliRun unknown = CliRun.of(diff);
    assertEquals(2, unknown.exitCode(), unknown.out());
    assertTrue(unknown.err().contains("name it with --app NAME"), unknown.err());

    CliRun create = CliRun.of(append(diff, "--app", "ordinal"));
    assertEquals(1, create.exitCode(), create.err());
    assertTrue(
        create.out().contains("+++ desired/ConfigMap/" + ns.name() + "/app-config"), create.out());
    assertTrue(create.out().contains("+  mode: primary"), create.out());

    // Apply what Git says, as the daemon would, then the diff is empty.
    plane
        .client()
        .configMaps()
        .inNamespace(ns.name())
        .resource(liveConfigMap(Map.of("ordinal.dev/app", "ordinal")))
        .fieldManager("ordinal")
        .serverSideApply();
    // The live object names its app: no --app needed, and no label change is invented.
    CliRun same = CliRun.of(diff);
    assertEquals(0, same.exitCode(), same.out() + same.err());
    assertEquals("no changes: the cluster matches the manifests\n", same.out());

    Files.writeString(dir.resolve("cm.yaml"), CONFIG_MAP.replace("primary", "replica"));
    CliRun changed = CliRun.of(diff);
    assertEquals(1, changed.exitCode());
    assertTrue(
        changed.out().contains("-  mode: primary") && changed.out().contains("+  mode: replica"),
        changed.out());
  }

  @Test
  void liveObjectsWithoutTheInventoryLabelNeedTheAppNamed(ControlPlane plane, TestNamespace ns)
      throws IOException {
    Files.writeString(dir.resolve("cm.yaml"), CONFIG_MAP);
    plane.client().configMaps().inNamespace(ns.name()).resource(liveConfigMap(Map.of())).create();
    String[] diff = {
      "diff", dir.toString(), "--kubeconfig", plane.kubeconfig().toString(), "-n", ns.name()
    };
    CliRun run = CliRun.of(diff);
    assertEquals(2, run.exitCode(), run.out());
    assertTrue(
        run.err().contains("none of the live objects carries the label ordinal.dev/app"),
        run.err());
    // Named, the diff shows the label the daemon would add, and nothing else.
    CliRun named = CliRun.of(append(diff, "--app", "orders"));
    assertEquals(1, named.exitCode(), named.err());
    assertTrue(named.out().contains("+    ordinal.dev/app: orders"), named.out());
  }

  /** The ConfigMap of {@link #CONFIG_MAP} as it is live, with {@code labels}. */
  private static ConfigMap liveConfigMap(Map<String, String> labels) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("app-config")
        .withLabels(labels)
        .endMetadata()
        .addToData("mode", "primary")
        .build();
  }

  private static String[] append(String[] args, String... more) {
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }
}
