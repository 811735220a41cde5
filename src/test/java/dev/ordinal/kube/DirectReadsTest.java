package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.manifest.ManifestLoader;
import io.fabric8.kubernetes.api.model.AuthProviderConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Which kubeconfigs a one-shot list may serve over the JDK's HTTP client: only those it reads
 * exactly as fabric8's client would. DirectReadsIT reads with them on the real API server.
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
    assertNotNull(DirectReads.of(config(c -> {}), ManifestLoader.modelMapper()));
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
      assertNull(DirectReads.of(config, ManifestLoader.modelMapper()), "case " + i);
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
    assertNull(DirectReads.of(config, ManifestLoader.modelMapper()));
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
}
