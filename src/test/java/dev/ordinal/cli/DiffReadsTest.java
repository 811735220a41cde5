package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.MockApiServer;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ordinal diff} asks of the API server, read from fabric8's mock server's request log:
 * the live objects that tell it the app are the ones it plans with, read once.
 */
class DiffReadsTest {
  @TempDir Path dir;
  KubernetesMockServer server;
  KubernetesClient client;
  Path kubeconfig;
  Path manifests;
  MockApiServer.RequestLog log;

  @BeforeEach
  void seed() throws IOException {
    server = MockApiServer.crud();
    client = server.createClient();
    manifests = Files.createDirectory(dir.resolve("manifests"));
    for (int i = 0; i < 6; i++) {
      StatefulSet live = StatefulSets.statefulSet("db-" + i, 1, "registry.local/db:1");
      live.getMetadata().setLabels(Map.of("ordinal.dev/app", "shop"));
      client.resource(live).inNamespace("shop").create();
      if (i == 2) {
        live.getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .setImage("registry.local/db:2");
      }
      Files.writeString(
          manifests.resolve("db-" + i + ".yaml"), client.getKubernetesSerialization().asYaml(live));
    }
    kubeconfig = MockApiServer.kubeconfig(server, "shop", dir.resolve("kubeconfig.yaml"));
    log = new MockApiServer.RequestLog(server);
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void theObjectsThatNameTheAppArePlannedWithoutReadingThemAgain() throws InterruptedException {
    log.since(); // the seeding

    CliRun run = CliRun.of("diff", manifests.toString(), "--kubeconfig", kubeconfig.toString());

    assertEquals(1, run.exitCode(), run.err());
    assertTrue(
        run.out()
            .lines()
            .anyMatch(l -> l.startsWith("+") && l.contains("image: registry.local/db:2")),
        run.out());
    assertEquals(List.of("GET /apis/apps/v1/namespaces/shop/statefulsets?limit=500"), log.since());
  }

  @Test
  void withTheAppNamedTheObjectsAreReadOnceToo() throws InterruptedException {
    log.since();

    CliRun run =
        CliRun.of(
            "diff", manifests.toString(), "--kubeconfig", kubeconfig.toString(), "--app", "shop");

    assertEquals(1, run.exitCode(), run.err());
    assertEquals(List.of("GET /apis/apps/v1/namespaces/shop/statefulsets?limit=500"), log.since());
  }
}
