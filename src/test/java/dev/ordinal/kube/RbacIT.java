package dev.ordinal.kube;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ordinal.daemon.AppRunner;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.git.TestRemote;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ordinal runs under the RBAC that {@code ordinal rbac} generates for its config, authenticated as
 * its ServiceAccount with a real token, through a scenario that uses every default kind: apply, a
 * rollout whose analysis reads the Prometheus token Secret, a rollback, and pruning. The API
 * server's audit log then says which verbs the code used; they must be exactly the verbs granted. A
 * verb granted and never used is a privilege to drop; a verb used and not granted is a 403 in
 * production.
 */
@ControlPlaneTest
class RbacIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  /** One use or grant: namespace, API group, resource, verb. */
  record Access(String namespace, String group, String resource, String verb)
      implements Comparable<Access> {
    @Override
    public int compareTo(Access other) {
      return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
      return namespace + ": " + (group.isEmpty() ? "core" : group) + "/" + resource + " " + verb;
    }
  }

  @Test
  void ordinalUsesExactlyTheVerbsItsGeneratedRbacGrants(ControlPlane plane, TestNamespace ns)
      throws Exception {
    KubernetesClient admin = plane.client();
    String home = ns.name();
    String target = ns.name() + "-apps";
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(target).endMetadata().build())
        .create();
    admin
        .serviceAccounts()
        .inNamespace(home)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(RbacManifest.SERVICE_ACCOUNT)
                .endMetadata()
                .build())
        .create();
    admin
        .secrets()
        .inNamespace(home)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("prometheus-token")
                .endMetadata()
                .withStringData(Map.of("token", "token-from-the-secret"))
                .build())
        .create();

    AtomicReference<String> errorRate = new AtomicReference<>("0");
    Set<String> authorizations = ConcurrentHashMap.newKeySet();
    HttpServer prometheus =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    prometheus.createContext(
        "/api/v1/query",
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          byte[] body =
              ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
                      + "[{\"metric\":{},\"value\":[1700000000,\""
                      + errorRate.get()
                      + "\"]}]}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    prometheus.start();

    try (TestRemote remote = TestRemote.create(tmp.resolve("config.git"))) {
      remote.commit("main", everyDefaultKind("registry.local/db:1"));
      Path configFile = tmp.resolve("ordinal.yaml");
      Files.writeString(
          configFile,
          """
          dataDir: %s
          listen: 127.0.0.1:0
          pollInterval: 1h
          ordinalNamespace: %s
          prometheus:
            default:
              address: http://127.0.0.1:%d
              bearerTokenSecret: {name: prometheus-token, key: token}
          apps:
            - name: shop
              repo: %s
              revision: main
              namespace: %s
              prune: true
          """
              .formatted(
                  tmp.resolve("data"),
                  home,
                  prometheus.getAddress().getPort(),
                  remote.fileUrl(),
                  target));
      DaemonConfig config = DaemonConfig.load(configFile);
      String rbac = RbacManifest.yaml(config);
      admin.load(new ByteArrayInputStream(rbac.getBytes(StandardCharsets.UTF_8))).create();

      long auditFrom = Files.exists(plane.auditLog()) ? Files.size(plane.auditLog()) : 0;
      try (KubernetesClient ordinal = serviceAccountClient(plane, home);
          PodSimulator pods = new PodSimulator(admin, target, Duration.ofMillis(100))) {
        KubeCluster cluster = new KubeCluster(ordinal, "rbac-it", Clock.systemUTC());
        try (Daemon daemon =
            Daemon.start(
                config, Duration.ofHours(1), Daemon.Ports.of(cluster, config), "rbac-it")) {
          AppRunner app = daemon.apps().get(0);
          await(
              "the first commit applied and rolled out",
              Duration.ofSeconds(90),
              () -> phase(admin, target).equals("HEALTHY") && allReady(admin, target),
              () -> app.status() + " " + StatefulSets.revisions(admin, target, "db"));

          // A new image: canary, analysis fails on the canary's error rate, rollback.
          errorRate.set("0.5");
          remote.commit("main", everyDefaultKind("registry.local/db:2"));
          app.poll();
          await(
              "the bad canary rolled back",
              Duration.ofSeconds(90),
              () -> phase(admin, target).equals("ROLLED_BACK") && allReady(admin, target),
              () -> phase(admin, target) + " " + StatefulSets.revisions(admin, target, "db"));

          // Everything but one ConfigMap leaves Git: prune deletes each kind.
          String pruned =
              remote
                  .commit(
                      "main",
                      Map.of(
                          "keep.yaml",
                          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\ndata: {a: b}\n"))
                  .name();
          app.poll();
          // The sync runs on its worker: wait for all of it, every prune included.
          await(
              "the pruning commit applied",
              Duration.ofSeconds(60),
              () ->
                  app.status().lastAppliedRevision().orElse("").equals(pruned)
                      && admin.apps().statefulSets().inNamespace(target).withName("db").get()
                          == null,
              app::status);
        }
      }
      prometheus.stop(0);
      assertEquals(
          Set.of("Bearer token-from-the-secret"),
          authorizations,
          "analysis read the token from the Secret the config names");

      Map<Access, Set<String>> names = new TreeMap<>();
      Set<Access> used =
          used(plane.auditLog(), auditFrom, "system:serviceaccount:" + home + ":ordinal", names);
      Set<Access> granted = granted(config, home, target);
      Set<Access> unused = new TreeSet<>(granted);
      unused.removeAll(used);
      Set<Access> ungranted = new TreeSet<>(used);
      ungranted.removeAll(granted);
      System.out.println("RBAC: used " + new TreeSet<>(used));
      assertTrue(
          unused.isEmpty() && ungranted.isEmpty(),
          "granted and never used: " + unused + "\nused and not granted: " + ungranted);
      // Where a grant names its objects, the code touched only those.
      for (RbacManifest.Rule rule : RbacManifest.home(config)) {
        for (String verb : rule.verbs()) {
          Set<String> touched =
              names.getOrDefault(new Access(home, rule.group(), rule.resource(), verb), Set.of());
          if (!rule.resourceNames().isEmpty()) {
            assertTrue(
                rule.resourceNames().containsAll(touched),
                rule.resource() + " " + verb + " touched " + touched);
          }
        }
      }
    }
  }

  /** Every grant of the generated RBAC for this config, as group, resource and verb. */
  private static Set<Access> granted(DaemonConfig config, String home, String target) {
    DaemonConfig.App app = config.apps().get(0);
    AppBoundary boundary = app.appBoundary();
    Set<Access> granted = new TreeSet<>();
    for (RbacManifest.Rule rule : RbacManifest.home(config)) {
      for (String verb : rule.verbs()) {
        granted.add(new Access(home, rule.group(), rule.resource(), verb));
      }
    }
    for (RbacManifest.Rule rule : RbacManifest.app(boundary.kinds(), app.pruneEnabled())) {
      for (String verb : rule.verbs()) {
        granted.add(new Access(target, rule.group(), rule.resource(), verb));
      }
    }
    return granted;
  }

  /**
   * What the ServiceAccount did, from the audit log after {@code from}. A server-side apply that
   * created its object is authorized as create as well as patch, so it counts as both. A 403 is
   * reported as a use: the code needed it.
   */
  private static Set<Access> used(
      Path auditLog, long from, String user, Map<Access, Set<String>> names) throws IOException {
    Set<Access> used = new TreeSet<>();
    byte[] all = Files.readAllBytes(auditLog);
    String text = new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode event = JSON.readTree(line);
      JsonNode ref = event.path("objectRef");
      if (!user.equals(event.path("user").path("username").asText()) || ref.isMissingNode()) {
        continue; // another client, or discovery (granted to every authenticated user)
      }
      String resource = ref.path("resource").asText();
      if (ref.hasNonNull("subresource")) {
        resource += "/" + ref.path("subresource").asText();
      }
      String group = ref.path("apiGroup").asText("");
      String verb = event.path("verb").asText();
      String namespace = ref.path("namespace").asText("");
      List<Access> accesses =
          new ArrayList<>(List.of(new Access(namespace, group, resource, verb)));
      if (verb.equals("patch") && event.path("responseStatus").path("code").asInt() == 201) {
        accesses.add(new Access(namespace, group, resource, "create"));
      }
      for (Access access : accesses) {
        used.add(access);
        if (ref.hasNonNull("name")) {
          names.computeIfAbsent(access, a -> new TreeSet<>()).add(ref.path("name").asText());
        }
      }
    }
    return used;
  }

  /** A client authenticated as Ordinal's ServiceAccount by a token from the TokenRequest API. */
  private static KubernetesClient serviceAccountClient(ControlPlane plane, String home) {
    String token =
        plane
            .client()
            .serviceAccounts()
            .inNamespace(home)
            .withName(RbacManifest.SERVICE_ACCOUNT)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config admin = Config.fromKubeconfig(plane.kubeconfigYaml());
    Config config = Config.empty();
    config.setMasterUrl(admin.getMasterUrl());
    config.setCaCertData(admin.getCaCertData());
    config.setCaCertFile(admin.getCaCertFile());
    config.setOauthToken(token);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private static String phase(KubernetesClient client, String namespace) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName("db").get();
    if (sts == null || sts.getMetadata().getAnnotations() == null) {
      return "";
    }
    String state = sts.getMetadata().getAnnotations().getOrDefault(Annotations.STATE, "");
    return state.isEmpty() ? "" : RolloutState.fromJson(state).phase().name();
  }

  private static boolean allReady(KubernetesClient client, String namespace) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName("db").get();
    return sts != null
        && sts.getStatus() != null
        && Integer.valueOf(3).equals(sts.getStatus().getReadyReplicas())
        && StatefulSets.revisions(client, namespace, "db").values().stream().distinct().count()
            == 1;
  }

  /** One object of every kind an app may apply by default, and a StatefulSet under a policy. */
  private static Map<String, String> everyDefaultKind(String image) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        "sts.yaml",
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, annotations: {ordinal.dev/policy: canary}}
        spec:
          replicas: 3
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: IMAGE}]
        """
            .replace("IMAGE", image));
    files.put(
        "policy.yaml",
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: canary}
        spec:
          steps:
            - canary: {replicas: 1}
            - analysis: {templates: [{templateName: error-rate}]}
        """);
    files.put(
        "template.yaml",
        """
        apiVersion: ordinal.dev/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: error-rate}
        spec:
          metrics:
            - name: error-rate
              failureLimit: 0
              successCondition: result[0] < 0.05
              provider:
                prometheus:
                  query: sum(rate(errors{pod=~"{{rollout.canaryPods}}"}[1m]))
        """);
    files.put(
        "keep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\ndata: {a: b}\n");
    files.put("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db}\ndata: {a: b}\n");
    files.put(
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: p}\n");
    files.put(
        "svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: db}\n"
            + "spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}\n");
    files.put("sa.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: db}\n");
    files.put(
        "pvc.yaml",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: scratch}\n"
            + "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n");
    files.put(
        "deploy.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: proxy}
        spec:
          replicas: 0
          selector: {matchLabels: {app: proxy}}
          template:
            metadata: {labels: {app: proxy}}
            spec: {containers: [{name: proxy, image: registry.local/proxy:1}]}
        """);
    files.put(
        "job.yaml",
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate}
        spec:
          suspend: true
          template:
            spec:
              restartPolicy: Never
              containers: [{name: migrate, image: registry.local/migrate:1}]
        """);
    files.put(
        "cron.yaml",
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: vacuum}
        spec:
          schedule: "0 3 * * *"
          suspend: true
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: vacuum, image: registry.local/vacuum:1}]
        """);
    files.put(
        "pdb.yaml",
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: db}\n"
            + "spec: {maxUnavailable: 1, selector: {matchLabels: {app: db}}}\n");
    files.put(
        "netpol.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db}\n"
            + "spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}\n");
    files.put(
        "ingress.yaml",
        """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: db}
        spec:
          defaultBackend: {service: {name: db, port: {number: 5432}}}
        """);
    files.put(
        "hpa.yaml",
        """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: proxy}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: proxy}
          minReplicas: 1
          maxReplicas: 2
        """);
    // Every object carries the image's tag, so a new image changes every object: each is planned
    // against a fresh read of it (get), not only the StatefulSet.
    String tag = image.substring(image.lastIndexOf(':') + 1);
    files.replaceAll(
        (path, yaml) ->
            yaml.replace(
                "metadata: {name:", "metadata: {labels: {release: \"" + tag + "\"}, name:"));
    return files;
  }
}
