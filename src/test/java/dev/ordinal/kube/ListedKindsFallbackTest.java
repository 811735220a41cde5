package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A LIST or GET read directly that fails in a way fabric8's client handles better (a 429, a 5xx, a
 * connection that breaks) is asked again of the client; one that fails otherwise is not. The server
 * is the JDK's own HTTP server on loopback, which tells the two readers apart by their User-Agent
 * and fails only the direct one: the real API server cannot be made to answer so.
 */
class ListedKindsFallbackTest {
  private static final String NAMESPACE = "orders";
  private static final String PATH = "/apis/apps/v1/namespaces/" + NAMESPACE + "/statefulsets";

  /** What the server answered, in order: who asked ("direct" or "client") and the code. */
  private final List<String> answered = new CopyOnWriteArrayList<>();

  private HttpServer server;
  private KubernetesClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  /** A server whose answer to a direct read is {@code directAnswer}; the client always gets 200. */
  private ListedKinds listWith(DirectAnswer directAnswer) throws IOException {
    DirectReads direct = serve(directAnswer);
    return ListedKinds.read(() -> client, direct, desired(), NAMESPACE);
  }

  /** Starts the server and the client; the direct reads of the same config. */
  private DirectReads serve(DirectAnswer directAnswer) throws IOException {
    server =
        LoopbackApi.start(
            PATH,
            exchange -> {
              boolean direct =
                  DirectReads.USER_AGENT.equals(
                      exchange.getRequestHeaders().getFirst("User-Agent"));
              if (direct) {
                directAnswer.answer(exchange);
              } else {
                String path = exchange.getRequestURI().getPath();
                answered.add("client 200");
                send(
                    exchange,
                    200,
                    path.equals(PATH) ? LIST : object(path.substring(PATH.length() + 1)));
              }
            });
    Config config = Config.empty();
    config.setMasterUrl(LoopbackApi.url(server));
    config.setOauthToken("a-token");
    config.setRequestRetryBackoffLimit(0); // the client's own retries are not what is tested
    client = new KubernetesClientBuilder().withConfig(config).build();
    DirectReads direct = DirectReads.of(config, ManifestLoader.modelReader());
    assertNotNull(direct);
    return direct;
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 500, 503})
  void aBusyOrFailingServerIsAskedAgainThroughTheClient(int code) throws IOException {
    ListedKinds listed =
        listWith(
            exchange -> {
              answered.add("direct " + code);
              send(exchange, code, status(code));
            });
    assertEquals(List.of("direct " + code, "client 200"), answered);
    assertEveryObjectIsListed(listed);
  }

  @Test
  void aConnectionThatBreaksIsAskedAgainThroughTheClient() throws IOException {
    ListedKinds listed =
        listWith(
            exchange -> {
              answered.add("direct broken");
              exchange.close(); // no answer at all: the reader sees the connection end
            });
    // The JDK's HTTP client may itself send a GET once more when a connection ends unanswered.
    assertEquals("client 200", answered.get(answered.size() - 1), answered.toString());
    List<String> direct = answered.subList(0, answered.size() - 1);
    assertTrue(
        !direct.isEmpty() && direct.stream().allMatch("direct broken"::equals), direct.toString());
    assertEveryObjectIsListed(listed);
  }

  /** Fewer objects than a LIST is worth are read one GET each, and fall back alike. */
  @Test
  void aGetOfABusyServerIsAskedAgainThroughTheClient() throws IOException {
    DirectReads direct =
        serve(
            exchange -> {
              answered.add("direct 503");
              send(exchange, 503, status(503));
            });
    List<HasMetadata> two = desired().subList(0, 2);
    var found = KubeCluster.direct(() -> client, direct).lookup(two, NAMESPACE);
    assertEquals(List.of("direct 503", "client 200", "direct 503", "client 200"), answered);
    for (HasMetadata object : two) {
      assertNotNull(found.get(ObjectKey.of(object, NAMESPACE)), object.getMetadata().getName());
    }
  }

  @Test
  void aRequestTheServerRejectsIsNotAskedAgain() {
    KubernetesClientException rejected =
        assertThrows(
            KubernetesClientException.class,
            () ->
                listWith(
                    exchange -> {
                      answered.add("direct 400");
                      send(exchange, 400, status(400));
                    }));
    assertEquals(400, rejected.getCode());
    assertEquals(List.of("direct 400"), answered);
  }

  /**
   * A 401 that the client meets too refuses the credentials, not the verb: the read fails at once,
   * and no object is asked for one GET at a time (each would be refused alike).
   */
  @Test
  void credentialsTheClientIsRefusedTooAreNotTriedOneGetAtATime() throws IOException {
    server =
        LoopbackApi.start(
            PATH,
            exchange -> {
              boolean list = exchange.getRequestURI().getPath().equals(PATH);
              answered.add(list ? "list 401" : "get 401");
              send(exchange, 401, status(401));
            });
    Config config = Config.empty();
    config.setMasterUrl(LoopbackApi.url(server));
    config.setOauthToken("not-a-token");
    client = new KubernetesClientBuilder().withConfig(config).build();
    DirectReads direct = DirectReads.of(config, ManifestLoader.modelReader());

    KubernetesClientException refused =
        assertThrows(
            KubernetesClientException.class,
            () -> ListedKinds.read(() -> client, direct, desired(), NAMESPACE));

    assertEquals(401, refused.getCode());
    // the direct LIST, then the client's (which may ask again with a token it renewed)
    assertTrue(answered.size() >= 2, answered.toString());
    assertTrue(answered.stream().allMatch("list 401"::equals), answered.toString());
  }

  private static void assertEveryObjectIsListed(ListedKinds listed) {
    for (HasMetadata object : desired()) {
      ObjectKey key = ObjectKey.of(object, NAMESPACE);
      assertTrue(listed.covers(object, key), key.toString());
      assertEquals(
          object.getMetadata().getName(), listed.live(object, key).getMetadata().getName());
    }
  }

  private static List<HasMetadata> desired() {
    List<HasMetadata> desired = new ArrayList<>();
    IntStream.range(0, ListedKinds.LIST_AT)
        .forEach(i -> desired.add(StatefulSets.statefulSet("db-" + i, 1, "registry.local/db:2")));
    return desired;
  }

  private static final String LIST =
      "{\"kind\":\"StatefulSetList\",\"apiVersion\":\"apps/v1\",\"metadata\":{},\"items\":["
          + String.join(
              ",",
              IntStream.range(0, ListedKinds.LIST_AT)
                  .mapToObj(
                      i ->
                          "{\"metadata\":{\"name\":\"db-"
                              + i
                              + "\",\"namespace\":\""
                              + NAMESPACE
                              + "\",\"resourceVersion\":\"1\"}}")
                  .toList())
          + "]}";

  private static String object(String name) {
    return "{\"kind\":\"StatefulSet\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\""
        + name
        + "\",\"namespace\":\""
        + NAMESPACE
        + "\",\"resourceVersion\":\"1\"}}";
  }

  private static String status(int code) {
    return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
        + code
        + ",\"message\":\"the server answers "
        + code
        + " to this reader\"}";
  }

  private static void send(HttpExchange exchange, int code, String json) throws IOException {
    LoopbackApi.answer(exchange, code, json, LoopbackApi.Body.PLAIN);
  }

  private interface DirectAnswer {
    void answer(HttpExchange exchange) throws IOException;
  }
}
