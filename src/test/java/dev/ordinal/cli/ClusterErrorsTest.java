package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With no cluster to talk to, every cluster command says where it tried (server, kubeconfig,
 * context) and what to try, and exits 2. Port 1 on loopback refuses connections at once.
 */
class ClusterErrorsTest {
  @TempDir Path dir;
  Path kubeconfig;
  Path manifests;

  @BeforeEach
  void files() throws IOException {
    kubeconfig = NowhereKubeconfig.write(dir.resolve("nowhere.yaml"));
    manifests = Files.createDirectory(dir.resolve("m"));
    Files.writeString(
        manifests.resolve("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n");
  }

  static List<List<String>> commands() {
    return List.of(
        List.of("status"),
        List.of("status", "db"),
        List.of("promote", "db", "--full"),
        List.of("retry", "rollout", "db"),
        List.of("diff", "--app", "x"),
        List.of("plan", "--app", "x"));
  }

  private String[] args(List<String> command, String... more) {
    List<String> all = new ArrayList<>(command);
    if (command.get(0).equals("diff") || command.get(0).equals("plan")) {
      all.add(manifests.toString());
    }
    all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void noClusterNamesTheServerTheKubeconfigAndTheContext(List<String> command) {
    CliRun run = CliRun.of(args(command));
    assertEquals(2, run.exitCode(), command + ": " + run.out());
    String err = run.err();
    assertTrue(err.contains("cannot reach the cluster"), command + ": " + err);
    assertTrue(err.contains("https://127.0.0.1:1"), command + " names the server: " + err);
    assertTrue(err.contains(kubeconfig.toString()), command + " names the kubeconfig: " + err);
    assertTrue(err.contains("context lab"), command + " names the context: " + err);
    assertTrue(err.contains("--kubeconfig/--context"), command + " says what to try: " + err);
    assertEquals(1, err.strip().lines().count(), command + ": one line, no stack: " + err);
  }

  @Test
  void invalidManifestsAreReportedAndTheClusterIsNot() throws IOException {
    // diff and plan connect while they read the manifests; what they say must not change
    Files.writeString(manifests.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
    for (String command : List.of("diff", "plan")) {
      CliRun run = CliRun.of(args(List.of(command, "--app", "x"), "--context", "prod"));
      assertEquals(2, run.exitCode(), command + ": " + run.out());
      assertTrue(run.err().contains("cm.yaml"), command + ": " + run.err());
      assertFalse(run.err().contains("context"), command + ": " + run.err());
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void anUnknownContextIsAnError(List<String> command) {
    CliRun run = CliRun.of(args(command, "--context", "prod"));
    assertEquals(2, run.exitCode(), command + ": " + run.out());
    assertTrue(
        run.err()
            .contains(
                "context 'prod' is not in kubeconfig "
                    + kubeconfig
                    + "; it has lab: name one with --context"),
        command + ": " + run.err());
  }

  /**
   * A kubeconfig that does not parse is a usage error (2), on one line: exit 1 would read as the
   * command's answer (diff: there are changes; plan: rollouts to run).
   */
  @ParameterizedTest
  @MethodSource("commands")
  void aBrokenOrMissingKubeconfigIsAUsageErrorOnOneLine(List<String> command) throws IOException {
    Files.writeString(kubeconfig, "garbage: [\n");
    assertUsageError(
        command,
        "kubeconfig "
            + kubeconfig
            + " is not a kubeconfig Ordinal can read: line 2: while parsing a flow node: expected"
            + " the node content, but found '<stream end>'; check it with kubectl config view");
    Files.writeString(kubeconfig, "apiVersion: v1\nclusters: 3\n");
    assertUsageError(
        command,
        "cannot use kubeconfig "
            + kubeconfig
            + ": clusters has the wrong shape for a kubeconfig; check it with kubectl config view");
    Files.delete(kubeconfig);
    assertUsageError(command, "cannot read kubeconfig " + kubeconfig + ": no such file");
  }

  private void assertUsageError(List<String> command, String message) {
    CliRun run = CliRun.of(args(command));
    assertEquals(2, run.exitCode(), command + ": " + run.out());
    assertEquals(message, run.err().strip(), command.toString());
  }

  @ParameterizedTest
  @MethodSource("commands")
  void aServerAddressFromTheKubeconfigIsEchoedEscaped(List<String> command) throws IOException {
    Files.writeString(
        kubeconfig,
        Files.readString(kubeconfig).replace("https://127.0.0.1:1", "https://127.0.0.1:1/\\e[31m"));
    CliRun run = CliRun.of(args(command));
    assertEquals(2, run.exitCode(), command + ": " + run.out());
    assertTrue(run.err().contains("https://127.0.0.1:1/\\x1b[31m"), command + ": " + run.err());
    assertTrue(run.err().chars().noneMatch(c -> c == 0x1b), command + ": " + run.err());
  }
}
