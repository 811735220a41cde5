package dev.ordinal.testkit;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** fabric8's mock API server, where a test needs requests answered but no real control plane. */
public final class MockApiServer {
  private MockApiServer() {}

  /**
   * A started mock that keeps what it is sent, as an API server would (create, get, list, delete),
   * over plain HTTP; callers {@code destroy()} it.
   */
  public static KubernetesMockServer crud() {
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    return server;
  }

  /**
   * Writes a kubeconfig for {@code server} to {@code file}, for a CLI run as a separate process or
   * in-process: a token user, and {@code namespace} as the context's namespace.
   */
  public static Path kubeconfig(KubernetesMockServer server, String namespace, Path file)
      throws IOException {
    return Files.writeString(
        file,
        String.format(
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: mock, cluster: {server: "%s"}}]
            users: [{name: mock, user: {token: mock}}]
            contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: %s}}]
            current-context: mock
            """,
            server.url("/"), namespace));
  }

  /** The requests a mock server received, read from its log a batch at a time. */
  public static final class RequestLog {
    private final KubernetesMockServer server;
    private int taken;

    public RequestLog(KubernetesMockServer server) {
      this.server = server;
    }

    /** The requests received since the last call, as "METHOD path?query" (query decoded). */
    public List<String> since() throws InterruptedException {
      List<String> seen = new ArrayList<>();
      for (int i = server.getRequestCount() - taken; i > 0; i--) {
        var r = server.takeRequest();
        seen.add(r.getMethod() + " " + URLDecoder.decode(r.getPath(), StandardCharsets.UTF_8));
      }
      taken = server.getRequestCount();
      return seen;
    }
  }
}
