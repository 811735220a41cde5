package dev.ordinal.kube;

import static dev.ordinal.kube.LoopbackApi.answer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ordinal.kube.LoopbackApi.Body;
import dev.ordinal.manifest.ManifestLoader;
import io.fabric8.kubernetes.api.model.AuthProviderConfig;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Which kubeconfigs a one-shot list may serve over the JDK's HTTP client (only those it reads
 * exactly as fabric8's client would), which failures it leaves to the client, and how it reads
 * compressed answers. DirectReadsIT reads with it on the real API server.
 */
class DirectReadsTest {
  private static Config config(Consumer<Config> change) {
    Config config = Config.empty();
    config.setMasterUrl("https://127.0.0.1:6443");
    config.setTrustCerts(true);
    config.setOauthToken("a-token");
    change.accept(config);
    return config;
  }

  @Test
  void aServerATokenAndTlsAreServedDirectly() {
    assertTrue(DirectReads.servable(config(c -> {})));
    assertTrue(DirectReads.servable(config(c -> c.setMasterUrl("http://127.0.0.1:8080"))));
    assertNotNull(DirectReads.of(config(c -> {}), ManifestLoader.modelReader()));
  }

  @Test
  void whatOnlyTheClientDoesIsLeftToTheClient() {
    List<Consumer<Config>> clientOnly =
        List.of(
            c -> c.setHttpsProxy("http://proxy:3128"),
            c -> c.setHttpProxy("http://proxy:3128"),
            c -> c.setImpersonateUsername("someone"),
            c -> c.setImpersonateGroups("admins"),
            c -> c.setImpersonateExtras(Map.of("scopes", List.of("view"))),
            c -> c.setAuthProvider(new AuthProviderConfig(Map.of(), "oidc")),
            c -> c.setOauthTokenProvider(() -> "from-a-provider"),
            c -> c.setUsername("user"),
            c -> c.setPassword("secret"),
            c -> c.setCustomHeaders(Map.of("X-Tenant", "a")),
            c -> c.setTlsServerName("api.internal"));
    for (int i = 0; i < clientOnly.size(); i++) {
      Config config = config(clientOnly.get(i));
      assertFalse(DirectReads.servable(config), "case " + i);
      assertNull(DirectReads.of(config, ManifestLoader.modelReader()), "case " + i);
    }
  }

  @Test
  void tlsMaterialThatCannotBeLoadedIsLeftToTheClientToReport() {
    Config config =
        config(
            c -> {
              c.setOauthToken(null);
              c.setClientCertData("bm90IGEgY2VydGlmaWNhdGU="); // "not a certificate"
              c.setClientKeyData("bm90IGEga2V5"); // "not a key"
            });
    assertTrue(DirectReads.servable(config));
    assertNull(DirectReads.of(config, ManifestLoader.modelReader()));
  }

  @Test
  void whatTheClientDoesBetterIsAskedOfIt() {
    for (int code : new int[] {401, 429, 500, 503}) {
      assertTrue(
          DirectReads.clientMayDoBetter(new KubernetesClientException("refused", code, null)),
          "" + code);
    }
    assertTrue(
        DirectReads.clientMayDoBetter(
            new KubernetesClientException("reset", new IOException("connection reset"))));
    for (int code : new int[] {400, 403, 404, 409, 422}) {
      assertFalse(
          DirectReads.clientMayDoBetter(new KubernetesClientException("refused", code, null)),
          "" + code);
    }
    // an answer the model cannot read would read the same through the client
    assertFalse(DirectReads.clientMayDoBetter(new KubernetesClientException("cannot read")));
  }

  /**
   * Reads ask for compressed answers and read them compressed or not. The server is the JDK's own,
   * on loopback; unlike the API server, which compresses only answers over 128 KiB, it compresses
   * what this test names, whatever the size, and labels some bodies gzip that are not.
   */
  @Test
  void answersAreAskedForCompressedAndReadEitherWay() throws IOException {
    List<String> encodingsAsked = new CopyOnWriteArrayList<>();
    HttpServer server =
        LoopbackApi.start(
            "/apis/apps/v1/namespaces/orders/statefulsets",
            exchange -> {
              String asked = exchange.getRequestHeaders().getFirst("Accept-Encoding");
              encodingsAsked.add(String.valueOf(asked));
              Body compressed =
                  asked != null && asked.contains("gzip") ? Body.COMPRESSED : Body.PLAIN;
              String path = exchange.getRequestURI().getPath();
              switch (path.substring(path.lastIndexOf('/') + 1)) {
                case "statefulsets" -> answer(exchange, 200, LIST, compressed);
                case "small" -> answer(exchange, 200, SMALL, Body.PLAIN);
                case "secret" -> answer(exchange, 403, FORBIDDEN, compressed);
                case "garbled" -> answer(exchange, 200, SMALL, Body.LABELLED_GZIP);
                default -> answer(exchange, 403, FORBIDDEN, Body.LABELLED_GZIP);
              }
            });
    try {
      DirectReads direct =
          DirectReads.of(
              config(c -> c.setMasterUrl(LoopbackApi.url(server))), ManifestLoader.modelReader());

      DirectReads.Page<StatefulSet> page = direct.list(StatefulSet.class, "orders", 500, null);
      assertEquals(
          List.of("db-0", "db-1"),
          page.items().stream().map(s -> s.getMetadata().getName()).toList());
      assertEquals(
          "registry.local/db:2",
          page.items().get(1).getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
      assertEquals(
          "small", direct.get(StatefulSet.class, "orders", "small").getMetadata().getName());
      KubernetesClientException refused =
          assertThrows(
              KubernetesClientException.class,
              () -> direct.get(StatefulSet.class, "orders", "secret"));
      assertEquals(403, refused.getCode());
      assertTrue(
          refused.getMessage().contains("statefulsets \"secret\" is forbidden"),
          refused.getMessage());

      // A body labelled gzip that does not inflate is a failed read, which the client may repeat;
      // a refusal whose body does not inflate keeps its code.
      KubernetesClientException garbled =
          assertThrows(
              KubernetesClientException.class,
              () -> direct.get(StatefulSet.class, "orders", "garbled"));
      assertTrue(DirectReads.clientMayDoBetter(garbled), garbled.getMessage());
      KubernetesClientException garbledRefusal =
          assertThrows(
              KubernetesClientException.class,
              () -> direct.get(StatefulSet.class, "orders", "garbled-refusal"));
      assertEquals(403, garbledRefusal.getCode(), garbledRefusal.getMessage());
      assertFalse(DirectReads.clientMayDoBetter(garbledRefusal));

      assertEquals(List.of("gzip", "gzip", "gzip", "gzip", "gzip"), encodingsAsked);
    } finally {
      server.stop(0);
    }
  }

  private static final String LIST =
      """
      {"kind":"StatefulSetList","apiVersion":"apps/v1","metadata":{"resourceVersion":"7"},"items":[
       {"metadata":{"name":"db-0","namespace":"orders"},"spec":{"template":{"spec":{"containers":[{"name":"main","image":"registry.local/db:1"}]}}}},
       {"metadata":{"name":"db-1","namespace":"orders"},"spec":{"template":{"spec":{"containers":[{"name":"main","image":"registry.local/db:2"}]}}}}]}
      """;
  private static final String SMALL =
      "{\"metadata\":{\"name\":\"small\",\"namespace\":\"orders\"}}";
  private static final String FORBIDDEN =
      """
      {"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,
       "message":"statefulsets \\"secret\\" is forbidden: User \\"someone\\" cannot get resource"}
      """;
}
