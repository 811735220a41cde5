package dev.ordinal.testkit;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Tokens for ServiceAccounts from the TokenRequest API: the API server audits their requests. */
public final class ServiceAccountTokens {
  private ServiceAccountTokens() {}

  /** A token of {@code namespace}'s ServiceAccount {@code account}, good for an hour. */
  public static String request(KubernetesClient admin, String namespace, String account) {
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(account)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }
}
