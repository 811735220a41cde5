package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ordinal run} refuses before it runs, each in one line: port 1 on loopback stands for
 * a cluster that does not answer.
 */
class RunCommandTest {
  @TempDir Path tmp;

  /** {@code ordinal run} with a config of these settings (above {@code apps:}). */
  private CliRun run(String settings) throws IOException {
    Path kubeconfig = NowhereKubeconfig.write(tmp.resolve("kubeconfig.yaml"));
    Path config = tmp.resolve("config.yaml");
    Files.writeString(
        config,
        (settings.contains("dataDir:") ? "" : "dataDir: " + tmp.resolve("data") + "\n")
            + settings
            + "apps:\n  - {name: shop, repo: \"file:///nonexistent/repo.git\", namespace: shop}\n");
    return CliRun.of("run", "--config", config.toString(), "--kubeconfig", kubeconfig.toString());
  }

  /** A second Ordinal on a busy port says so in one line, before it touches Git or the cluster. */
  @Test
  void aBusyListenAddressIsAOneLineErrorThatNamesIt() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun run = run("listen: 127.0.0.1:" + busy.getLocalPort() + "\n");
      assertEquals(2, run.exitCode(), run.err());
      String err = run.err().strip();
      assertEquals(1, err.lines().count(), "one line: " + err);
      assertTrue(err.contains("127.0.0.1:" + busy.getLocalPort()), err);
      assertTrue(err.contains("cannot listen"), err);
    }
  }

  /** The webhook's listener is bound before anything else too, and a busy port is named. */
  @Test
  void aBusyWebhookAddressIsAOneLineErrorThatNamesIt() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun run =
          run(
              "listen: 127.0.0.1:0\nwebhook: {listen: 127.0.0.1:"
                  + busy.getLocalPort()
                  + ", insecure: true}\n");
      assertEquals(2, run.exitCode(), run.err());
      String err = run.err().strip();
      assertEquals(1, err.lines().count(), "one line: " + err);
      assertTrue(err.contains("127.0.0.1:" + busy.getLocalPort()), err);
      assertTrue(err.contains("cannot listen") && err.contains("webhook"), err);
    }
  }

  /**
   * A cluster that does not answer is one line that says where Ordinal tried, exit 2, as for every
   * other command: each informer used to log its failure with a stack trace, and the process ended
   * with exit 1, which run does not define.
   */
  @Test
  void anUnreachableClusterIsAOneLineErrorThatSaysWhereItTried() throws Exception {
    CliRun run = run("listen: 127.0.0.1:0\n");
    assertEquals(2, run.exitCode(), run.err());
    String last = run.err().strip().lines().reduce((a, b) -> b).orElse("");
    assertEquals(
        "cannot reach the cluster at server https://127.0.0.1:1/ (kubeconfig "
            + tmp.resolve("kubeconfig.yaml")
            + ", context lab): Connection refused; is the server up, and --kubeconfig/--context"
            + " right?",
        last);
    assertTrue(!run.err().contains("\tat ") && !run.err().contains("Exception"), run.err());
  }

  /** Java's message for a folder it cannot make is the bare path. */
  @Test
  void aDataDirThatCannotBeMadeSaysWhatAndWhatToDo() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "not a folder");
    CliRun run = run("dataDir: " + file.resolve("data") + "\nlisten: 127.0.0.1:0\n");
    assertEquals(2, run.exitCode(), run.err());
    String last = run.err().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("dataDir " + file.resolve("data") + ": cannot create it ("), last);
    assertTrue(last.endsWith("); set dataDir in the config to a folder Ordinal may write"), last);
  }
}
