package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.daemon.LiveObjects;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.testkit.ApiRequests;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.ServiceAccountTokens;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-shot lists over the JDK's HTTP client ({@link DirectReads}), on the real API server: what
 * they read is what fabric8's client reads, page by page, and what the server's audit log sees of a
 * lookup (requests by a ServiceAccount are audited, with their User-Agent): one LIST, sent
 * directly; a user who may not list is read one GET at a time, by the client.
 */
@ControlPlaneTest
class DirectReadsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int SETS = 7;

  @TempDir Path dir;

  @Test
  void pagesReadDirectlyHoldWhatTheClientReads(ControlPlane plane, TestNamespace ns)
      throws InterruptedException {
    KubernetesClient admin = plane.client();
    createStatefulSets(admin, ns.name());
    // Both sides read the same versions only once the controller has written each status.
    awaitSettled(admin, ns.name());
    // Three ConfigMaps of 60 KiB each: the server compresses an answer of more than 128 KiB when
    // asked, as the direct reads ask (curl showed it: their list came as 1.2 KB of gzip), and the
    // list must read the same. This test does not see the encoding itself.
    for (int i = 0; i < 3; i++) {
      admin
          .configMaps()
          .inNamespace(ns.name())
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("settings-" + i)
                  .endMetadata()
                  .addToData("blob", "settings " + i + " ".repeat(60 * 1024))
                  .build())
          .create();
    }
    Config config = Config.fromKubeconfig(plane.kubeconfigYaml());
    DirectReads direct = DirectReads.of(config, ManifestLoader.modelReader());
    assertNotNull(direct, "the test control plane's kubeconfig (a client certificate) is served");

    // pages of 3: the continue token is followed to the last page
    List<StatefulSet> sets = all(direct, StatefulSet.class, ns.name(), 3);
    assertEquals(
        byName(admin.apps().statefulSets().inNamespace(ns.name()).list().getItems()),
        byName(sets),
        "the same objects, at the same resourceVersions, bound alike");
    // the core group (/api/v1), and a kind that is not namespaced
    assertEquals(
        byName(admin.configMaps().inNamespace(ns.name()).list().getItems()),
        byName(all(direct, ConfigMap.class, ns.name(), 500)));
    List<Namespace> namespaces = all(direct, Namespace.class, null, 500);
    assertTrue(
        namespaces.stream().anyMatch(n -> n.getMetadata().getName().equals(ns.name())),
        "the test's namespace is among " + namespaces.size());
    // a kind that is not namespaced is addressed without the namespace a caller names
    assertEquals(
        namespaces.size(), all(direct, Namespace.class, ns.name(), 500).size(), "namespaces");
  }

  @Test
  void aFewObjectsAreReadWithDirectGetsAndAKindNotServedIsAbsent(
      ControlPlane plane, TestNamespace ns) throws Exception {
    KubernetesClient admin = plane.client();
    createStatefulSets(admin, ns.name());
    Path kubeconfig = tokenKubeconfig(plane, ns.name(), "few", List.of("get", "list"));
    List<HasMetadata> wanted = new ArrayList<>(desired().subList(0, 2));
    wanted.add(StatefulSets.statefulSet("absent", 0, "registry.local/db:2"));
    // batch/v1beta1 CronJobs: a kind of fabric8's model that Kubernetes 1.25 stopped serving
    for (int i = 0; i < 5; i++) {
      wanted.add(
          new io.fabric8.kubernetes.api.model.batch.v1beta1.CronJobBuilder()
              .withNewMetadata()
              .withName("nightly-" + i)
              .endMetadata()
              .build());
    }

    long from = auditSize(plane);
    Map<ObjectKey, LiveObjects.Live> found = lookupWithoutClient(kubeconfig, wanted, ns.name());

    assertEquals(
        List.of("db-0", "db-1"), found.keySet().stream().map(ObjectKey::name).sorted().toList());
    // one LIST of the kind not served (404: none of its objects exists), a GET per StatefulSet
    assertEquals(
        List.of(
            "list cronjobs 404 " + DirectReads.USER_AGENT,
            "get statefulsets 200 " + DirectReads.USER_AGENT,
            "get statefulsets 200 " + DirectReads.USER_AGENT,
            "get statefulsets 404 " + DirectReads.USER_AGENT),
        requests(plane, from, ns.name(), "few", 4));
  }

  @Test
  void objectsOfAKindWithoutNamespaceAreListedWithoutOne(ControlPlane plane, TestNamespace ns)
      throws Exception {
    KubernetesClient admin = plane.client();
    List<HasMetadata> classes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      PriorityClass priority =
          new PriorityClassBuilder()
              .withNewMetadata()
              .withName(ns.name() + "-" + i)
              .endMetadata()
              .withValue(1000 + i)
              .build();
      admin.resource(priority).create();
      classes.add(priority);
    }
    try {
      Map<String, Long> before = ApiRequests.snapshot(admin);
      Map<ObjectKey, LiveObjects.Live> found =
          lookupWithoutClient(plane.kubeconfig(), classes, ns.name());
      Map<String, Long> delta = ApiRequests.delta(before, ApiRequests.snapshot(admin));
      assertEquals(5, found.size(), found.toString());
      assertEquals(1L, delta.get("LIST priorityclasses"), delta.toString());
      assertNull(delta.get("GET priorityclasses"), delta.toString());
    } finally {
      classes.forEach(c -> admin.resource(c).delete());
    }
  }

  @Test
  void aLookupOfManyStatefulSetsIsOneDirectListAndMakesNoClient(
      ControlPlane plane, TestNamespace ns) throws Exception {
    KubernetesClient admin = plane.client();
    List<StatefulSet> live = createStatefulSets(admin, ns.name());
    Path kubeconfig = tokenKubeconfig(plane, ns.name(), "lister", List.of("get", "list"));

    long from = auditSize(plane);
    Map<ObjectKey, LiveObjects.Live> found = lookupWithoutClient(kubeconfig, desired(), ns.name());

    assertEquals(SETS, found.size());
    // the live objects themselves: their uids, and the image they run (the manifests' is new)
    Map<String, String> uids =
        live.stream()
            .collect(
                Collectors.toMap(s -> s.getMetadata().getName(), s -> s.getMetadata().getUid()));
    found.forEach(
        (key, object) -> {
          assertEquals(uids.get(key.name()), object.object().getMetadata().getUid(), key.name());
          StatefulSet sts = (StatefulSet) object.object();
          assertEquals(
              "registry.local/db:1",
              sts.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        });
    List<String> requests = requests(plane, from, ns.name(), "lister", 1);
    assertEquals(List.of("list statefulsets 200 " + DirectReads.USER_AGENT), requests);
  }

  @Test
  void aUserWhoMayNotListIsReadOneGetAtATime(ControlPlane plane, TestNamespace ns)
      throws Exception {
    createStatefulSets(plane.client(), ns.name());
    Path kubeconfig = tokenKubeconfig(plane, ns.name(), "getter", List.of("get"));

    long from = auditSize(plane);
    Map<ObjectKey, LiveObjects.Live> found = lookupWithoutClient(kubeconfig, desired(), ns.name());

    assertEquals(SETS, found.size());
    List<String> requests = requests(plane, from, ns.name(), "getter", 1 + SETS);
    assertEquals("list statefulsets 403 " + DirectReads.USER_AGENT, requests.get(0));
    assertEquals(SETS + 1, requests.size(), requests.toString());
    for (String get : requests.subList(1, requests.size())) {
      assertEquals("get statefulsets 200 " + DirectReads.USER_AGENT, get);
    }
  }

  @Test
  void aTokenTheServerDoesNotKnowIsRefusedAsTheClientRefusesIt(ControlPlane plane, TestNamespace ns)
      throws IOException {
    createStatefulSets(plane.client(), ns.name());
    Path kubeconfig = ServiceAccountTokens.kubeconfig(plane, "not-a-token", dir);

    try (KubeAccess access = KubeAccess.connectForReads(kubeconfig, null)) {
      RuntimeException failure =
          assertThrows(RuntimeException.class, () -> access.cluster().lookup(desired(), ns.name()));
      // the client was asked too (aTokenRefused... proves that the LIST itself is asked again)
      assertTrue(access.clientMade());
      String message = access.explain(failure).getMessage();
      assertTrue(message.startsWith("not allowed by server "), message);
      assertTrue(message.contains("check the kubeconfig's user"), message);
    }
  }

  @Test
  void aTokenRefusedToTheDirectListIsAskedOfTheClientWhichRenewsIt(
      ControlPlane plane, TestNamespace ns) throws Exception {
    createStatefulSets(plane.client(), ns.name());
    Path good = tokenKubeconfig(plane, ns.name(), "renewed", List.of("get", "list"));
    String token = Config.fromKubeconfig(Files.readString(good)).getAutoOAuthToken();
    // An exec plugin (as cloud CLIs are) whose first token has expired: the client runs it again
    // on a 401, and then gets the good one.
    Path calls = dir.resolve("calls");
    Path plugin =
        Files.writeString(
            dir.resolve("credential.sh"),
            """
            #!/bin/sh
            echo x >> %s
            if [ "$(wc -l < %s)" -eq 1 ]; then token=expired; else token=%s; fi
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%%s"}}' "$token"
            """
                .formatted(calls, calls, token));
    plugin.toFile().setExecutable(true);
    Path kubeconfig =
        Files.writeString(
            dir.resolve("exec.yaml"),
            Files.readString(good)
                .replace(
                    "    token: " + token,
                    """
                        exec:
                          apiVersion: client.authentication.k8s.io/v1
                          command: %s
                          interactiveMode: Never
                    """
                        .formatted(plugin)
                        .stripTrailing()));

    long from = auditSize(plane);
    Map<ObjectKey, LiveObjects.Live> found;
    try (KubeAccess access = KubeAccess.connectForReads(kubeconfig, null)) {
      found = access.cluster().lookup(desired(), ns.name());
      assertTrue(access.clientMade());
    }

    assertEquals(SETS, found.size());
    assertEquals(2, Files.readAllLines(calls).size(), "the plugin ran again after the 401");
    // The expired token's LIST is not audited (no user is known); the renewed one's is. It is the
    // client's, which asks again with the token it renewed; or, when the connection closed under
    // that retry and the lookup was asked once more (ClosedConnections), the direct reader's with
    // the token the client wrote back into the shared Config.
    List<String> requests = requests(plane, from, ns.name(), "renewed", 1);
    assertEquals(1, requests.size(), requests.toString());
    assertTrue(
        requests.get(0).startsWith("list statefulsets 200 fabric8-kubernetes-client/")
            || requests.get(0).equals("list statefulsets 200 " + DirectReads.USER_AGENT),
        requests.toString());
  }

  /**
   * The live twins of {@code wanted}, looked up as {@code diff} and {@code plan} look them up;
   * fails if fabric8's client was made for it.
   */
  private static Map<ObjectKey, LiveObjects.Live> lookupWithoutClient(
      Path kubeconfig, List<HasMetadata> wanted, String namespace) {
    try (KubeAccess access = KubeAccess.connectForReads(kubeconfig, null)) {
      Map<ObjectKey, LiveObjects.Live> found = access.cluster().lookup(wanted, namespace);
      assertFalse(access.clientMade(), "fabric8's client was never made");
      return found;
    }
  }

  private static void awaitSettled(KubernetesClient admin, String namespace)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (true) {
      List<StatefulSet> sets = admin.apps().statefulSets().inNamespace(namespace).list().getItems();
      boolean observed =
          sets.stream()
              .allMatch(
                  s ->
                      s.getStatus() != null
                          && s.getMetadata()
                              .getGeneration()
                              .equals(s.getStatus().getObservedGeneration()));
      if (observed) {
        return;
      }
      assertTrue(
          Instant.now().isBefore(deadline), "the controller writes every status within 30 s");
      Thread.sleep(100);
    }
  }

  private static List<StatefulSet> createStatefulSets(KubernetesClient admin, String namespace) {
    List<StatefulSet> created = new ArrayList<>();
    for (int i = 0; i < SETS; i++) {
      created.add(
          admin
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .resource(StatefulSets.statefulSet("db-" + i, 0, "registry.local/db:1"))
              .create());
    }
    return created;
  }

  /** What a repository of the same StatefulSets, with a new image, declares. */
  private static List<HasMetadata> desired() {
    return IntStream.range(0, SETS)
        .mapToObj(i -> (HasMetadata) StatefulSets.statefulSet("db-" + i, 0, "registry.local/db:2"))
        .toList();
  }

  private static <T extends HasMetadata> List<T> all(
      DirectReads direct, Class<T> type, String namespace, long limit) {
    List<T> items = new ArrayList<>();
    String next = null;
    int pages = 0;
    do {
      DirectReads.Page<T> page = direct.list(type, namespace, limit, next);
      items.addAll(page.items());
      next = page.metadata().getContinue();
      pages++;
    } while (next != null && !next.isEmpty());
    if (limit < SETS && type == StatefulSet.class) {
      assertEquals((SETS + limit - 1) / limit, pages, "pages of " + limit);
    }
    return items;
  }

  /** Each object's tree by name, as both sides bind it. */
  private static Map<String, JsonNode> byName(List<? extends HasMetadata> objects) {
    return objects.stream()
        .collect(
            Collectors.toMap(
                o -> o.getMetadata().getName(),
                o -> (JsonNode) JSON.valueToTree(o),
                (a, b) -> a,
                TreeMap::new));
  }

  /**
   * A kubeconfig for a new ServiceAccount of {@code namespace}, allowed {@code verbs} on its
   * StatefulSets and CronJobs, with a token from the TokenRequest API.
   */
  private Path tokenKubeconfig(
      ControlPlane plane, String namespace, String account, List<String> verbs) throws IOException {
    KubernetesClient admin = plane.client();
    ServiceAccountTokens.createAccount(admin, namespace, account);
    ServiceAccountTokens.grant(
        admin,
        namespace,
        account,
        namespace,
        List.of("apps", "batch"),
        List.of("statefulsets", "cronjobs"),
        verbs);
    return ServiceAccountTokens.kubeconfig(
        plane, ServiceAccountTokens.request(admin, namespace, account), dir);
  }

  private static long auditSize(ControlPlane plane) throws IOException {
    return Files.exists(plane.auditLog()) ? Files.size(plane.auditLog()) : 0;
  }

  /**
   * "verb resource code user-agent" of the ServiceAccount's requests for objects of {@code
   * namespace} since {@code from}, once there are {@code expected} (the log is written as requests
   * end), or what there is after 10 s.
   */
  private static List<String> requests(
      ControlPlane plane, long from, String namespace, String account, int expected)
      throws IOException, InterruptedException {
    String user = "system:serviceaccount:" + namespace + ":" + account;
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    List<String> seen;
    do {
      seen = audited(plane.auditLog(), from, user);
      if (seen.size() >= expected) {
        // a moment more, so that a request beyond those expected is seen too
        Thread.sleep(500);
        return audited(plane.auditLog(), from, user);
      }
      Thread.sleep(100);
    } while (Instant.now().isBefore(deadline));
    return seen;
  }

  private static List<String> audited(Path log, long from, String user) throws IOException {
    byte[] all = Files.readAllBytes(log);
    String text = new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
    List<String> found = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode event = JSON.readTree(line);
      // one event per request: the stage at which its response was sent
      if (!user.equals(event.path("user").path("username").asText())
          || !"ResponseComplete".equals(event.path("stage").asText())
          || event.path("objectRef").isMissingNode()) {
        continue;
      }
      found.add(
          event.path("verb").asText()
              + " "
              + event.path("objectRef").path("resource").asText()
              + " "
              + event.path("responseStatus").path("code").asInt()
              + " "
              + event.path("userAgent").asText());
    }
    return found;
  }
}
