package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ClosedConnectionsTest {
  private static KubernetesClientException closed() {
    // as fabric8's OperationSupport.waitForResult wraps what Vert.x failed the request with
    return new KubernetesClientException(
        "Connection was closed", new HttpClosedException("Connection was closed"));
  }

  /** A read that fails with each of {@code failures} in turn, then answers "read". */
  private static final class Attempts implements Supplier<String> {
    final Deque<RuntimeException> failures;
    int made;

    Attempts(RuntimeException... failures) {
      this.failures = new ArrayDeque<>(List.of(failures));
    }

    @Override
    public String get() {
      made++;
      RuntimeException next = failures.poll();
      if (next != null) {
        throw next;
      }
      return "read";
    }
  }

  @Test
  void theNameMatchedIsVertxsOwn() {
    assertEquals(HttpClosedException.class.getName(), ClosedConnections.VERTX_CLOSED);
  }

  @Test
  void aClosedConnectionIsFoundAmongTheCauses() {
    assertTrue(ClosedConnections.closedUnder(closed()));
    assertTrue(ClosedConnections.closedUnder(new IllegalStateException("port", closed())));
    assertFalse(
        ClosedConnections.closedUnder(
            new KubernetesClientException("refused", new IOException("connection refused"))));
    assertFalse(
        ClosedConnections.closedUnder(new KubernetesClientException("Unauthorized", 401, null)));
  }

  @Test
  void aReadAConnectionClosedUnderIsAskedOnceMore() {
    Attempts read = new Attempts(closed());
    assertEquals("read", ClosedConnections.read(read));
    assertEquals(2, read.made);
  }

  @Test
  void aSecondClosedConnectionIsThrownAsItCame() {
    KubernetesClientException second = closed();
    Attempts read = new Attempts(closed(), second);
    assertSame(
        second, assertThrows(KubernetesClientException.class, () -> ClosedConnections.read(read)));
    assertEquals(2, read.made);
  }

  @Test
  void anyOtherFailureIsThrownWithoutAskingAgain() {
    KubernetesClientException refused = new KubernetesClientException("Unauthorized", 401, null);
    Attempts read = new Attempts(refused);
    assertSame(
        refused, assertThrows(KubernetesClientException.class, () -> ClosedConnections.read(read)));
    assertEquals(1, read.made);
  }

  /**
   * Through fabric8's client and Vert.x, as the daemon and the commands read: the server ends the
   * first connection without answering, and the read is asked again on another.
   */
  @Test
  void aLookupWhoseConnectionTheServerClosedIsAskedAgain() throws IOException {
    List<String> answered = new CopyOnWriteArrayList<>();
    HttpServer server =
        LoopbackApi.start(
            "/apis/apps/v1/namespaces/orders/statefulsets/",
            exchange -> {
              if (answered.isEmpty()) {
                answered.add("closed");
                exchange.close(); // no answer: Vert.x fails the request, the connection closed
                return;
              }
              answered.add("200");
              LoopbackApi.answer(
                  exchange,
                  200,
                  "{\"kind\":\"StatefulSet\",\"apiVersion\":\"apps/v1\",\"metadata\":"
                      + "{\"name\":\"db\",\"namespace\":\"orders\",\"resourceVersion\":\"1\"}}",
                  LoopbackApi.Body.PLAIN);
            });
    Config config = Config.empty();
    config.setMasterUrl(LoopbackApi.url(server));
    config.setOauthToken("a-token");
    config.setRequestRetryBackoffLimit(1); // as KubeAccess sets it: fabric8's retry is not enough
    HasMetadata desired = StatefulSets.statefulSet("db", 1, "registry.local/db:2");
    Map<ObjectKey, ?> found;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      found = KubeCluster.direct(client).lookup(List.of(desired), "orders");
    } finally {
      server.stop(0);
    }

    assertEquals(List.of("closed", "200"), answered);
    assertTrue(found.containsKey(ObjectKey.of(desired, "orders")), found.toString());
  }
}
