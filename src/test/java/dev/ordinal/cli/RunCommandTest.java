package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  @TempDir Path tmp;

  /** A second Ordinal on a busy port says so in one line, before it touches Git or the cluster. */
  @Test
  void aBusyListenAddressIsAOneLineErrorThatNamesIt() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path kubeconfig = tmp.resolve("kubeconfig.yaml");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]
          users: [{name: u, user: {token: t}}]
          contexts: [{name: x, context: {cluster: x, user: u}}]
          current-context: x
          """);
      Path config = tmp.resolve("config.yaml");
      Files.writeString(
          config,
          String.format(
              """
              dataDir: %s
              listen: 127.0.0.1:%d
              apps:
                - {name: shop, repo: "file:///nonexistent/repo.git", namespace: shop}
              """,
              tmp.resolve("data"), busy.getLocalPort()));
      CliRun run =
          CliRun.of("run", "--config", config.toString(), "--kubeconfig", kubeconfig.toString());
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
      Path kubeconfig = tmp.resolve("kubeconfig.yaml");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]
          users: [{name: u, user: {token: t}}]
          contexts: [{name: x, context: {cluster: x, user: u}}]
          current-context: x
          """);
      Path config = tmp.resolve("config.yaml");
      Files.writeString(
          config,
          String.format(
              """
              dataDir: %s
              listen: 127.0.0.1:0
              webhook: {listen: 127.0.0.1:%d, insecure: true}
              apps:
                - {name: shop, repo: "file:///nonexistent/repo.git", namespace: shop}
              """,
              tmp.resolve("data"), busy.getLocalPort()));
      CliRun run =
          CliRun.of("run", "--config", config.toString(), "--kubeconfig", kubeconfig.toString());
      assertEquals(2, run.exitCode(), run.err());
      String err = run.err().strip();
      assertEquals(1, err.lines().count(), "one line: " + err);
      assertTrue(err.contains("127.0.0.1:" + busy.getLocalPort()), err);
      assertTrue(err.contains("cannot listen") && err.contains("webhook"), err);
    }
  }
}
