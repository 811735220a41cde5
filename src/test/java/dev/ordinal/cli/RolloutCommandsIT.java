package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@ControlPlaneTest
class RolloutCommandsIT {

  @Test
  void eachCommandLandsAsExactlyItsAnnotation(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) {
    StatefulSet sts = StatefulSets.statefulSet("db", 1, "registry.local/db:1");
    sts.getMetadata().setAnnotations(Map.of("team", "payments"));
    client.apps().statefulSets().inNamespace(ns.name()).resource(sts).create();
    String kubeconfig = plane.kubeconfig().toString();

    Object[][] cases = {
      {new String[] {"promote", "db"}, Command.PROMOTE},
      {new String[] {"promote", "db", "--full"}, Command.PROMOTE_FULL},
      {new String[] {"abort", "db"}, Command.ABORT},
      {new String[] {"retry", "rollout", "db"}, Command.RETRY},
      {new String[] {"pause", "db"}, Command.PAUSE},
      {new String[] {"resume", "db"}, Command.RESUME},
    };
    for (Object[] c : cases) {
      String[] verb = (String[]) c[0];
      Command command = (Command) c[1];
      Map<String, String> before = annotations(client, ns);
      Instant start = Instant.now().minusSeconds(1);
      String[] args = concat(verb, "--kubeconfig", kubeconfig, "-n", ns.name());
      CliRun run = CliRun.of(args);
      assertEquals(0, run.exitCode(), run.err());
      assertEquals(
          command.displayName()
              + " requested for StatefulSet "
              + ns.name()
              + "/db; Ordinal acts on it at its next decision\n",
          run.out());
      assertEquals(
          "note: Ordinal has recorded no rollout state on this StatefulSet yet; the command waits until it manages it\n",
          run.err());

      Map<String, String> after = annotations(client, ns);
      Map<String, String> added = new HashMap<>(after);
      before.keySet().forEach(added::remove);
      assertEquals(
          Set.of("ordinal.dev/command-" + command.displayName()),
          added.keySet(),
          "added by " + String.join(" ", verb));
      assertEquals(Annotations.commandKey(command), added.keySet().iterator().next());
      Instant at = Instant.parse(added.values().iterator().next());
      assertTrue(
          !at.isBefore(start.truncatedTo(ChronoUnit.SECONDS)) && !at.isAfter(Instant.now()),
          at.toString());
      assertEquals("payments", after.get("team"), "other annotations are kept");
    }
    // The status shows them as pending.
    CliRun status = CliRun.of("status", "db", "--kubeconfig", kubeconfig, "-n", ns.name());
    assertTrue(status.out().contains("Commands:   abort (requested "), status.out());
  }

  @Test
  void notesWhenTheStateSaysTheCommandWillBeIgnored(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) {
    StatefulSet sts = StatefulSets.statefulSet("db", 1, "registry.local/db:1");
    sts.getMetadata()
        .setAnnotations(
            Map.of(
                Annotations.STATE,
                dev.ordinal.rollout.RolloutState.healthy(
                        "db-1", Instant.parse("2026-11-25T10:00:00Z"))
                    .toJson()));
    client.apps().statefulSets().inNamespace(ns.name()).resource(sts).create();
    String[] args = {"--kubeconfig", plane.kubeconfig().toString(), "-n", ns.name()};

    CliRun promote = CliRun.of(concat(new String[] {"promote", "db"}, args));
    assertEquals(0, promote.exitCode());
    assertEquals(
        "note: Ordinal will likely ignore it: no rollout in progress (Healthy)\n", promote.err());
    assertTrue(
        annotations(client, ns).containsKey("ordinal.dev/command-promote"),
        "recorded all the same");
  }

  @Test
  void namespaceSlashNameAndMissingStatefulSet(
      ControlPlane plane, TestNamespace ns, KubernetesClient client) {
    client
        .apps()
        .statefulSets()
        .inNamespace(ns.name())
        .resource(StatefulSets.statefulSet("db", 1, "registry.local/db:1"))
        .create();
    String kubeconfig = plane.kubeconfig().toString();

    CliRun slash = CliRun.of("pause", ns.name() + "/db", "--kubeconfig", kubeconfig);
    assertEquals(0, slash.exitCode(), slash.err());
    assertTrue(annotations(client, ns).containsKey("ordinal.dev/command-pause"));

    CliRun missing = CliRun.of("abort", "nope", "--kubeconfig", kubeconfig, "-n", ns.name());
    assertEquals(1, missing.exitCode(), missing.out());
    assertEquals("StatefulSet " + ns.name() + "/nope not found\n", missing.err());
    assertEquals("", missing.out());
  }

  private static Map<String, String> annotations(KubernetesClient client, TestNamespace ns) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(ns.name()).withName("db").get();
    return sts.getMetadata().getAnnotations() == null
        ? Map.of()
        : sts.getMetadata().getAnnotations();
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
