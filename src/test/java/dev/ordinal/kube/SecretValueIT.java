package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** bearerTokenSecret values come from Ordinal's namespace, decoded, and are absent when missing. */
@ControlPlaneTest
class SecretValueIT {
  @Test
  void readsTheKeyOfANamedSecret(KubernetesClient client, TestNamespace ns) {
    client
        .secrets()
        .inNamespace(ns.name())
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("ordinal-prometheus-token")
                .endMetadata()
                .addToStringData("token", "t0ken")
                .build())
        .create();
    assertEquals(
        Optional.of("t0ken"),
        new KubeCluster(client).secretValue(ns.name(), "ordinal-prometheus-token", "token"));
    assertEquals(
        Optional.empty(),
        new KubeCluster(client).secretValue(ns.name(), "ordinal-prometheus-token", "other"));
    assertEquals(
        Optional.empty(), new KubeCluster(client).secretValue(ns.name(), "missing", "token"));
  }
}
