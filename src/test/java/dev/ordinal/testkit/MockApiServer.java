package dev.ordinal.testkit;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

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
}
