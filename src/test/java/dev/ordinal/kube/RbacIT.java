package dev.ordinal.kube;

import static dev.ordinal.testkit.StatefulSets.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.ordinal.backup.BackupNames;
import dev.ordinal.daemon.AppRunner;
import dev.ordinal.daemon.Daemon;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.git.TestRemote;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.JobRunner;
import dev.ordinal.testkit.PodSimulator;
import dev.ordinal.testkit.ServiceAccountTokens;
import dev.ordinal.testkit.SnapshotSimulator;
import dev.ordinal.testkit.StatefulSets;
import dev.ordinal.testkit.TestNamespace;
import dev.ordinal.testkit.VolumeSimulator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
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
import java.util.Optional;
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
 * rollout whose analysis reads the Prometheus token Secret and whose backup runs a quiesce Job, a
 * rollback, a restore of the canary's claim from its snapshot, a backup whose exec hook fails, a
 * good rollout after which retention deletes the older set, a StatefulSet whose volumes grow by
 * recreating it, an invalid commit whose Event repeats, and pruning. The API server's audit log
 * then says which verbs the code used; they must be exactly the verbs granted. A verb granted and
 * never used is a privilege to drop; a verb used and not granted is a 403 in production.
 */
@ControlPlaneTest
class RbacIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Cluster-scoped, so named for this test alone. */
  private static final String EXPANDABLE = "rbac-it-expandable";

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

    VolumeSimulator.createStorageClass(admin, EXPANDABLE, true);

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
              boundary: {backups: true, backupHooks: [exec, job], recreates: true}
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
          PodSimulator pods = new PodSimulator(admin, target, Duration.ofMillis(100));
          SnapshotSimulator snapshots =
              new SnapshotSimulator(admin, target, Duration.ofMillis(200));
          JobRunner jobs = new JobRunner(admin, target, Duration.ofMillis(200));
          VolumeSimulator volumes = new VolumeSimulator(admin, target, Duration.ofMillis(200))) {
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

          // A new image: a backup (quiesce Job, snapshots), canary, analysis fails on the
          // canary's error rate, rollback (the canary pod deleted). The cache's backup runs an
          // exec hook, which fails with no kubelet: its rollout does not start.
          errorRate.set("0.5");
          remote.commit("main", everyDefaultKind("registry.local/db:2", "registry.local/cache:2"));
          app.poll();
          await(
              "the bad canary rolled back",
              Duration.ofSeconds(120),
              () ->
                  phase(admin, target).equals("ROLLED_BACK")
                      && allReady(admin, target)
                      && phase(admin, target, "cache").equals("ROLLED_BACK"),
              () ->
                  phase(admin, target)
                      + " "
                      + StatefulSets.revisions(admin, target, "db")
                      + " cache "
                      + phase(admin, target, "cache"));
          // restoreOnRollback: manual; the restore command brings the canary's claim back.
          String firstSet = backupId(admin, target);
          StatefulSets.edit(
              admin,
              target,
              "db",
              s ->
                  s.getMetadata()
                      .getAnnotations()
                      .put(Annotations.COMMAND_PREFIX + "restore", firstSet));
          await(
              "the canary's claim restored",
              Duration.ofSeconds(120),
              () -> restored(admin, target) && allReady(admin, target),
              () -> phase(admin, target) + " " + StatefulSets.revisions(admin, target, "db"));
          assertEquals(
              BackupNames.snapshot("data-db-2", "db", firstSet),
              admin
                  .persistentVolumeClaims()
                  .inNamespace(target)
                  .withName("data-db-2")
                  .get()
                  .getMetadata()
                  .getAnnotations()
                  .get(BackupNames.RESTORED_FROM),
              "the canary's claim came back from the backup's snapshot");
          // The exec reached the pod's (missing) node: authorized, not refused with a 403.
          String hook = reason(admin, target, "cache");
          assertTrue(hook.contains("quiesce hook: cache-0: exec in cache-0 failed"), hook);
          assertFalse(hook.contains("HTTP 403"), hook);

          // A good image: another backup, the rollout completes, and retention (keep: 1)
          // deletes the first set with its hook Job.
          errorRate.set("0");
          remote.commit("main", everyDefaultKind("registry.local/db:3", "registry.local/cache:2"));
          app.poll();
          await(
              "the good rollout done and the older set deleted",
              Duration.ofSeconds(120),
              () ->
                  phase(admin, target).equals("HEALTHY")
                      && allReady(admin, target)
                      && snapshotsOf(snapshots, firstSet).isEmpty()
                      && admin
                          .batch()
                          .v1()
                          .jobs()
                          .inNamespace(target)
                          .withLabel(BackupNames.BACKUP_ID, firstSet)
                          .list()
                          .getItems()
                          .isEmpty(),
              () -> phase(admin, target) + " " + snapshotsOf(snapshots, firstSet));

          // logs grows its volume: its StorageClass read, its claim patched, the StatefulSet
          // deleted with propagationPolicy Orphan and created again, the steps in the
          // ordinal-recreates ConfigMap.
          String logs = uid(admin, target, "logs");
          remote.commit(
              "main", everyDefaultKind("registry.local/db:3", "registry.local/cache:2", "2Gi"));
          app.poll();
          await(
              "logs recreated with its claim grown",
              Duration.ofSeconds(120),
              () ->
                  !uid(admin, target, "logs").equals(logs)
                      && "2Gi"
                          .equals(
                              admin
                                  .persistentVolumeClaims()
                                  .inNamespace(target)
                                  .withName("data-logs-0")
                                  .get()
                                  .getSpec()
                                  .getResources()
                                  .getRequests()
                                  .get("storage")
                                  .toString()),
              app::status);

          // An invalid commit gets a Warning on the app's namespace; the same again raises its
          // count instead of adding an Event (events patch).
          Map<String, String> invalid =
              new LinkedHashMap<>(
                  everyDefaultKind("registry.local/db:2", "registry.local/cache:2", "2Gi"));
          invalid.put(
              "bad.yaml",
              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\ndata: {a: b}\n");
          remote.commit("main", invalid);
          app.poll();
          // Syncs run on the app's worker, and two requests while one is pending are one sync:
          // wait for the first Event before asking for the second sync.
          await(
              "the invalid commit's Event",
              Duration.ofSeconds(30),
              () -> invalidEventCounts(admin, target).equals(List.of(1)),
              () -> invalidEventCounts(admin, target));
          app.syncNow();
          await(
              "the invalid commit's Event counted twice",
              Duration.ofSeconds(30),
              () -> invalidEventCounts(admin, target).equals(List.of(2)),
              () -> invalidEventCounts(admin, target));

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
      admin.storage().v1().storageClasses().withName(EXPANDABLE).delete();
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
    for (RbacManifest.Rule rule :
        RbacManifest.app(
            boundary.kinds(), app.pruneEnabled(), boundary.backups(), boundary.recreates())) {
      for (String verb : rule.verbs()) {
        granted.add(new Access(target, rule.group(), rule.resource(), verb));
      }
    }
    for (RbacManifest.Rule rule : RbacManifest.cluster(config)) {
      for (String verb : rule.verbs()) {
        granted.add(new Access("", rule.group(), rule.resource(), verb));
      }
    }
    return granted;
  }

  /**
   * What the ServiceAccount did, from the audit log after {@code from}. A server-side apply that
   * created its object is authorized as create as well as patch, so it counts as both, and so does
   * an exec (get and create). A 403 is reported as a use: the code needed it.
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
      if (resource.equals("pods/exec") && verb.equals("get")) {
        // The API server (1.35) authorizes an exec's WebSocket upgrade as create too; the audit
        // log shows only the GET (with get alone granted, the exec is refused with a 403).
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
    String token = ServiceAccountTokens.request(plane.client(), home, RbacManifest.SERVICE_ACCOUNT);
    Config admin = Config.fromKubeconfig(plane.kubeconfigYaml());
    Config config = Config.empty();
    config.setMasterUrl(admin.getMasterUrl());
    config.setCaCertData(admin.getCaCertData());
    config.setCaCertFile(admin.getCaCertFile());
    config.setOauthToken(token);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The counts of the SyncInvalid Events in {@code namespace}, one per Event object. */
  private static List<Integer> invalidEventCounts(KubernetesClient client, String namespace) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> "SyncInvalid".equals(e.getReason()))
        .map(e -> e.getCount())
        .toList();
  }

  private static String uid(KubernetesClient client, String namespace, String name) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    return sts == null ? "" : sts.getMetadata().getUid();
  }

  private static String phase(KubernetesClient client, String namespace) {
    return phase(client, namespace, "db");
  }

  private static String phase(KubernetesClient client, String namespace, String name) {
    return state(client, namespace, name).map(st -> st.phase().name()).orElse("");
  }

  private static String reason(KubernetesClient client, String namespace, String name) {
    return state(client, namespace, name).map(RolloutState::reason).orElse("");
  }

  private static Optional<RolloutState> state(
      KubernetesClient client, String namespace, String name) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    if (sts == null || sts.getMetadata().getAnnotations() == null) {
      return Optional.empty();
    }
    String state = sts.getMetadata().getAnnotations().getOrDefault(Annotations.STATE, "");
    return state.isEmpty() ? Optional.empty() : Optional.of(RolloutState.fromJson(state));
  }

  /** db's rollback restored its canary's claim and the restore is over. */
  private static boolean restored(KubernetesClient client, String namespace) {
    return state(client, namespace, "db")
        .filter(st -> st.restoring().isEmpty())
        .flatMap(RolloutState::lastBackup)
        .filter(b -> !b.restored().isEmpty())
        .isPresent();
  }

  private static String backupId(KubernetesClient client, String namespace) {
    return state(client, namespace, "db")
        .flatMap(RolloutState::lastBackup)
        .map(RolloutState.Backup::id)
        .orElse("");
  }

  private static List<String> snapshotsOf(SnapshotSimulator snapshots, String backupId) {
    return snapshots
        .snapshots()
        .withLabel(BackupNames.BACKUP_ID, backupId)
        .list()
        .getItems()
        .stream()
        .map(s -> s.getMetadata().getName())
        .toList();
  }

  private static boolean allReady(KubernetesClient client, String namespace) {
    StatefulSet sts = client.apps().statefulSets().inNamespace(namespace).withName("db").get();
    return sts != null
        && sts.getStatus() != null
        && Integer.valueOf(3).equals(sts.getStatus().getReadyReplicas())
        && StatefulSets.revisions(client, namespace, "db").values().stream().distinct().count()
            == 1;
  }

  private static Map<String, String> everyDefaultKind(String image) {
    return everyDefaultKind(image, "registry.local/cache:1");
  }

  private static Map<String, String> everyDefaultKind(String image, String cacheImage) {
    return everyDefaultKind(image, cacheImage, "1Gi");
  }

  /**
   * One object of every kind an app may apply by default, two StatefulSets with claims under
   * policies that back up: db with a quiesce Job and manual restore, cache with an exec hook; and
   * logs, under no policy, whose claims of {@code logsSize} may grow by recreating it.
   */
  private static Map<String, String> everyDefaultKind(
      String image, String cacheImage, String logsSize) {
    Map<String, String> files = new LinkedHashMap<>();
    String sts =
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: NAME, annotations: {ordinal.dev/policy: POLICY}}
        spec:
          replicas: REPLICAS
          serviceName: NAME
          selector: {matchLabels: {app: NAME}}
          template:
            metadata: {labels: {app: NAME}}
            spec:
              containers:
                - name: NAME
                  image: IMAGE
                  volumeMounts: [{name: data, mountPath: /data}]
          volumeClaimTemplates:
            - metadata: {name: data}
              spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
        """;
    files.put(
        "sts.yaml",
        sts.replace("NAME", "db")
            .replace("POLICY", "canary")
            .replace("REPLICAS", "3")
            .replace("IMAGE", image));
    files.put(
        "cache.yaml",
        sts.replace("NAME", "cache")
            .replace("POLICY", "cache-canary")
            .replace("REPLICAS", "1")
            .replace("IMAGE", cacheImage));
    files.put(
        "logs.yaml",
        sts.replace("{ordinal.dev/policy: POLICY}", "{ordinal.dev/immutable-changes: recreate}")
            .replace("NAME", "logs")
            .replace("REPLICAS", "1")
            .replace("IMAGE", "registry.local/logs:1")
            .replace(
                "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}",
                "spec: {accessModes: [ReadWriteOnce], storageClassName: "
                    + EXPANDABLE
                    + ", resources: {requests: {storage: "
                    + logsSize
                    + "}}}"));
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
          backup:
            keep: 1
            timeout: 60s
            restoreOnRollback: manual
            quiesce:
              job:
                timeout: 30s
                template:
                  spec:
                    containers: [{name: flush, image: registry.local/flush:1}]
        ---
        apiVersion: ordinal.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: cache-canary}
        spec:
          steps:
            - canary: {replicas: 1}
            - pause: {}
          backup:
            timeout: 60s
            quiesce:
              exec: {command: [sync], timeout: 10s}
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
    // against a fresh read of it (get), not only the StatefulSet. Only the objects' own metadata:
    // a claim template's labels cannot change on an existing StatefulSet.
    String tag = image.substring(image.lastIndexOf(':') + 1);
    files.replaceAll(
        (path, yaml) ->
            yaml.replaceAll(
                "(?m)^metadata: \\{name:", "metadata: {labels: {release: \"" + tag + "\"}, name:"));
    return files;
  }
}
