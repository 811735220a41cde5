package dev.ordinal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kubeconfig whose one context, {@code lab}, names a server on port 1 of loopback, which refuses
 * every connection at once: a cluster that does not answer, without waiting for a timeout.
 */
final class NowhereKubeconfig {
  private NowhereKubeconfig() {}

  static Path write(Path file) throws IOException {
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: x, user: {token: t}}]
        contexts: [{name: lab, context: {cluster: x, user: x}}]
        current-context: lab
        """);
    return file;
  }
}
