package dev.ordinal.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ordinal.daemon.DaemonConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBAC shipped in {@code manifests/} is the generator's output for the config shipped beside
 * it, so the audited least-privilege rules (RbacIT) are the ones a user installs.
 */
class RbacManifestTest {
  @TempDir Path tmp;

  private static final String ONE_APP =
      """
      apps:
        - name: shop
          repo: https://git.example.com/c.git
          namespace: shop
      """;

  private DaemonConfig config(String yaml) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, yaml);
    return DaemonConfig.load(file);
  }

  @Test
  void theShippedRbacIsGeneratedFromTheShippedConfig() throws Exception {
    JsonNode configMap =
        new ObjectMapper(new YAMLFactory()).readTree(Path.of("manifests/configmap.yaml").toFile());
    DaemonConfig shipped = config(configMap.path("data").path("config.yaml").asText());
    assertEquals(
        RbacManifest.yaml(shipped),
        Files.readString(Path.of("manifests/rbac.yaml")),
        "manifests/rbac.yaml is stale: regenerate it with `ordinal rbac --config CONFIG`, where"
            + " CONFIG is the config.yaml inside manifests/configmap.yaml (see manifests/README.md)");
  }

  @Test
  void nothingIsClusterWideUnlessAnAppMayApplyAClusterScopedKind() throws Exception {
    String app = ONE_APP;
    String plain = RbacManifest.yaml(config(app));
    assertFalse(plain.contains("kind: ClusterRoleBinding"), plain);
    assertTrue(plain.contains("namespace: shop"), plain);
    assertFalse(
        plain.contains(
            "resources: [configmaps]\n    verbs: [get, list, watch, create, patch, delete]"),
        plain);

    String wider =
        RbacManifest.yaml(
            config(
                app
                    + """
                        prune: true
                        boundary: {kinds: [storage.k8s.io/StorageClass]}
                    """));
    assertTrue(wider.contains("kind: ClusterRoleBinding"), wider);
    assertTrue(wider.contains("resources: [storageclasses]"), wider);
    assertTrue(
        wider.contains(
            "resources: [configmaps]\n    verbs: [get, list, watch, create, patch, delete]"),
        wider);
  }

  @Test
  void shardsListTheirLeasesInsteadOfGettingTheLeadersByName() throws Exception {
    String one = RbacManifest.yaml(config(ONE_APP));
    assertTrue(
        one.contains("resources: [leases]\n    verbs: [get, create, patch]"), "one shard: " + one);
    String sharded = RbacManifest.yaml(config("sharding: {shards: 4}\n" + ONE_APP));
    assertTrue(
        sharded.contains("resources: [leases]\n    verbs: [list, create, patch, delete]"),
        "shards count replicas and find free shards by listing: " + sharded);
    assertFalse(sharded.contains("verbs: [get, create, patch]"), sharded);
  }

  @Test
  void recreatesAddReadingStorageClassesDeletingStatefulSetsAndTheirStateConfigMap()
      throws Exception {
    String plain = RbacManifest.yaml(config(ONE_APP));
    assertFalse(plain.contains("storageclasses"), plain);
    assertFalse(plain.contains("ordinal-recreates"), plain);
    assertFalse(plain.contains("resources: [statefulsets]\n    verbs: [delete]"), plain);

    String recreates = RbacManifest.yaml(config(ONE_APP + "    boundary: {recreates: true}\n"));
    assertTrue(recreates.contains("name: ordinal-app-recreate\n"), recreates);
    assertTrue(
        recreates.contains("resources: [statefulsets]\n    verbs: [delete]"),
        "delete only where applying does not grant it: " + recreates);
    assertTrue(
        recreates.contains(
            "resources: [configmaps]\n    resourceNames: [ordinal-analysis-runs,"
                + " ordinal-recreates]\n    verbs: [get, update]"),
        recreates);
    assertTrue(
        recreates.contains(
            "apiGroups: [\"storage.k8s.io\"]\n    resources: [storageclasses]\n    verbs: [get]"),
        recreates);
    assertTrue(recreates.contains("kind: ClusterRoleBinding"), recreates);
    assertFalse(
        recreates.contains("resources: [persistentvolumeclaims]\n    verbs: [delete"),
        "a recreate never deletes a claim: " + recreates);
  }

  @Test
  void onlyTheSecretsTheConfigNamesAreReadable() throws Exception {
    String yaml =
        RbacManifest.yaml(
            config(
                """
                prometheus:
                  default: {address: http://prom:9090, bearerTokenSecret: {name: prom-token, key: token}}
                analysisSecrets: [datadog-key]
                apps:
                  - name: shop
                    repo: https://git.example.com/c.git
                    namespace: shop
                """));
    assertTrue(
        yaml.contains(
            "resources: [secrets]\n    resourceNames: [datadog-key, prom-token]\n    verbs: [get]"),
        yaml);
  }

  @Test
  void backupVerbsAreGrantedOnlyWhereAnAppMayBackUpAndHookVerbsOnlyForItsHookKinds()
      throws Exception {
    String app = ONE_APP;
    String plain = RbacManifest.yaml(config(app));
    assertFalse(plain.contains("volumesnapshots"), plain);
    assertFalse(plain.contains("pods/exec"), plain);
    assertFalse(plain.contains("resources: [persistentvolumeclaims]\n    verbs: [delete]"), plain);

    String backups = RbacManifest.yaml(config(app + "    boundary: {backups: true}\n"));
    assertTrue(backups.contains("name: ordinal-app-backup\n"), backups);
    assertTrue(
        backups.contains(
            "apiGroups: [\"snapshot.storage.k8s.io\"]\n    resources: [volumesnapshots]\n"
                + "    verbs: [get, list, watch, create, delete]"),
        backups);
    // get, list, watch and create on claims come with applying them; a restore adds delete
    assertTrue(
        backups.contains("resources: [persistentvolumeclaims]\n    verbs: [delete]"), backups);
    assertFalse(backups.contains("pods/exec"), backups);
    assertFalse(backups.contains("resources: [jobs]\n    verbs: [delete]"), backups);

    String hooks =
        RbacManifest.yaml(
            config(app + "    boundary: {backups: true, backupHooks: [job, exec]}\n"));
    assertTrue(hooks.contains("name: ordinal-app-backup-exec-job\n"), hooks);
    assertTrue(hooks.contains("resources: [pods/exec]\n    verbs: [get, create]"), hooks);
    assertTrue(hooks.contains("resources: [jobs]\n    verbs: [delete]"), hooks);
  }
}
