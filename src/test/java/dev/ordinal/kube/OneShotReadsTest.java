package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.daemon.LiveObjects;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.testkit.MockApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a one-shot command ({@code diff}, {@code plan}) asks of the API server for the live twins of
 * its objects, read from fabric8's mock server's request log: many of a kind cost one LIST, and no
 * request ever watches (no informer is started).
 */
class OneShotReadsTest {
  KubernetesMockServer server;
  KubernetesClient client;
  MockApiServer.RequestLog log;

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  private void crud() {
    server = MockApiServer.crud();
    client = server.createClient();
    log = new MockApiServer.RequestLog(server);
  }

  private void expectations() {
    server = new KubernetesMockServer(false);
    server.init();
    client = server.createClient();
    log = new MockApiServer.RequestLog(server);
  }

  /** The requests the server received since the last call, as "METHOD path?query". */
  private List<String> requests() throws InterruptedException {
    return log.since();
  }

  private static StatefulSet sts(String name) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .endSpec()
        .build();
  }

  /** The mock server's answer to a GET of {@code path} below shop's StatefulSets' parent. */
  private void answer(String path, int code, Object body) {
    server
        .expect()
        .get()
        .withPath("/apis/apps/v1/namespaces/shop/" + path)
        .andReturn(code, body)
        .always();
  }

  private static List<HasMetadata> fiveStatefulSets() {
    return IntStream.range(0, 5).<HasMetadata>mapToObj(i -> sts("db-" + i)).toList();
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  @Test
  void manyObjectsOfAKindCostOneListAndNothingWatches() throws InterruptedException {
    crud();
    for (int i = 0; i < 20; i++) {
      client.resource(sts("db-" + i)).inNamespace("shop").create();
    }
    client.resource(configMap("settings")).inNamespace("shop").create();
    requests();
    // As loaded from Git: no namespace of their own; the command's namespace is "shop".
    List<HasMetadata> desired = new ArrayList<>();
    IntStream.range(0, 21).forEach(i -> desired.add(sts("db-" + i))); // db-20 is not live
    desired.add(configMap("settings"));
    desired.add(configMap("missing"));

    Map<ObjectKey, LiveObjects.Live> live;
    try (KubeCluster oneShot = KubeCluster.direct(client)) {
      live = oneShot.lookup(desired, "shop");
      oneShot.inventory("shop", "shop", Map.of("apps/v1", Set.of("StatefulSet")));
    }

    assertEquals(21, live.size(), live.keySet().toString());
    assertTrue(live.values().stream().allMatch(LiveObjects.Live::complete));
    assertEquals("StatefulSet", live.get(ObjectKey.of(sts("db-3"), "shop")).object().getKind());
    List<String> requests = requests();
    assertEquals(
        List.of(
            "GET /apis/apps/v1/namespaces/shop/statefulsets?limit=500",
            "GET /api/v1/namespaces/shop/configmaps/settings",
            "GET /api/v1/namespaces/shop/configmaps/missing",
            "GET /apis/apps/v1/namespaces/shop/statefulsets?labelSelector=ordinal.dev/app=shop"),
        requests);
    assertTrue(requests.stream().noneMatch(r -> r.contains("watch")), requests.toString());
  }

  @Test
  void aKindTheUserMayNotListIsReadOneByOne() throws InterruptedException {
    expectations();
    answer(
        "statefulsets?limit=500",
        403,
        new StatusBuilder().withCode(403).withReason("Forbidden").build());
    for (int i = 0; i < 5; i++) {
      StatefulSet live = sts("db-" + i);
      live.getMetadata().setNamespace("shop");
      answer("statefulsets/db-" + i, 200, live);
    }
    List<HasMetadata> desired = fiveStatefulSets();

    try (KubeCluster oneShot = KubeCluster.direct(client)) {
      assertEquals(5, oneShot.lookup(desired, "shop").size());
    }
    List<String> requests = requests();
    assertEquals(6, requests.size(), requests.toString());
    assertTrue(requests.get(5).endsWith("/statefulsets/db-4"), requests.toString());
  }

  @Test
  void aNamespaceFullOfOtherObjectsOfTheKindIsLeftToGets() throws InterruptedException {
    expectations();
    var crowded =
        new StatefulSetListBuilder()
            .withMetadata(new ListMetaBuilder().withContinue("more").build());
    IntStream.range(0, 600).forEach(i -> crowded.addToItems(sts("other-" + i)));
    answer("statefulsets?limit=500", 200, crowded.build());
    for (int i = 0; i < 5; i++) {
      answer("statefulsets/db-" + i, 404, new StatusBuilder().withCode(404).build());
    }
    List<HasMetadata> desired = fiveStatefulSets();

    try (KubeCluster oneShot = KubeCluster.direct(client)) {
      assertTrue(oneShot.lookup(desired, "shop").isEmpty());
    }
    List<String> requests = requests();
    // one page read, its 600 others more than 4 × 5 + 500: the rest of the list is not read
    assertEquals(6, requests.size(), requests.toString());
    assertTrue(requests.stream().noneMatch(r -> r.contains("continue")), requests.toString());
  }
}
