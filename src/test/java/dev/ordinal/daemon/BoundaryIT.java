package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An app applies only what the operator's boundary allows: a commit with anything outside it, or
 * with another app's object, applies nothing at all, on the real API server.
 */
@ControlPlaneTest
class BoundaryIT {
  @TempDir Path repo;

  static final Map<String, String> HOSTILE =
      Map.of(
          "crb",
          """
          apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRoleBinding
          metadata: {name: take-over}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
          subjects: [{kind: ServiceAccount, name: default, namespace: default}]
          """,
          "kube-system",
          Manifests.STS
              .replace("  name: db\n  labels:", "  name: db\n  namespace: kube-system\n  labels:")
              .replace("  annotations: {ordinal.dev/policy: canary}\n", ""),
          "webhook",
          """
          apiVersion: admissionregistration.k8s.io/v1
          kind: MutatingWebhookConfiguration
          metadata: {name: intercept}
          webhooks: []
          """,
          "namespace",
          """
          apiVersion: v1
          kind: Namespace
          metadata: {name: elsewhere}
          """);

  private void write(Map<String, String> files) throws IOException {
    try (var old = Files.list(repo)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    for (var e : files.entrySet()) {
      Files.writeString(repo.resolve(e.getKey()), e.getValue());
    }
  }

  private static AppSync sync(
      KubernetesClient client, String app, String ns, AppBoundary boundary) {
    return new AppSync(
        app,
        ns,
        boundary,
        false,
        Loaders.forFixtures(),
        KubeCluster.direct(client),
        Clock.systemUTC(),
        () -> true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"crb", "kube-system", "webhook", "namespace"})
  void anObjectOutsideTheBoundaryRefusesTheWholeCommit(
      String hostile, KubernetesClient client, TestNamespace ns) throws IOException {
    write(
        Map.of(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: harmless}\ndata: {k: v}\n",
            "hostile.yaml",
            HOSTILE.get(hostile)));
    SyncResult.Refused refused =
        assertInstanceOf(
            SyncResult.Refused.class,
            sync(client, "shop", ns.name(), AppBoundary.defaults("shop", ns.name()))
                .sync(LocalDirectory.read(repo)));
    assertEquals(1, refused.reasons().size(), refused.reasons().toString());
    String reason = refused.reasons().get(0);
    assertTrue(reason.contains("outside app shop's boundary"), reason);
    assertTrue(reason.contains("apps[shop].boundary."), "says how to allow: " + reason);
    assertNull(
        client.configMaps().inNamespace(ns.name()).withName("harmless").get(),
        "nothing of the commit was applied");
    assertNull(client.rbac().clusterRoleBindings().withName("take-over").get());
    assertNull(client.namespaces().withName("elsewhere").get());
    assertNull(
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("intercept")
            .get());
    assertNull(client.apps().statefulSets().inNamespace("kube-system").withName("db").get());
  }

  @Test
  void anotherAppsObjectIsNeverTakenOverAndAdoptionIsTheOperatorsChoice(
      KubernetesClient client, TestNamespace ns) throws IOException {
    client
        .configMaps()
        .inNamespace(ns.name())
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .addToLabels("ordinal.dev/app", "billing")
                .endMetadata()
                .addToData("owner", "billing")
                .build())
        .create();
    client
        .configMaps()
        .inNamespace(ns.name())
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("handmade")
                .endMetadata()
                .addToData("owner", "kubectl")
                .build())
        .create();
    write(
        Map.of(
            "settings.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {owner: shop}\n"));
    SyncResult.Refused refused =
        assertInstanceOf(
            SyncResult.Refused.class,
            sync(client, "shop", ns.name(), AppBoundary.defaults("shop", ns.name()))
                .sync(LocalDirectory.read(repo)));
    assertTrue(refused.reasons().get(0).contains("belongs to app billing"), refused.toString());
    assertEquals(
        "billing",
        client
            .configMaps()
            .inNamespace(ns.name())
            .withName("settings")
            .get()
            .getData()
            .get("owner"));

    write(
        Map.of(
            "handmade.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: handmade}\ndata: {owner: shop}\n"));
    SyncResult.Refused unlabelled =
        assertInstanceOf(
            SyncResult.Refused.class,
            sync(client, "shop", ns.name(), AppBoundary.defaults("shop", ns.name()))
                .sync(LocalDirectory.read(repo)));
    assertTrue(
        unlabelled.reasons().get(0).contains("was not created by Ordinal"), unlabelled.toString());

    // The operator allows adoption: the object is taken over and labelled for the app.
    AppBoundary adopting = new AppBoundary("shop", Set.of(ns.name()), Set.of(), true);
    assertInstanceOf(
        SyncResult.Applied.class,
        sync(client, "shop", ns.name(), adopting).sync(LocalDirectory.read(repo)));
    var adopted = client.configMaps().inNamespace(ns.name()).withName("handmade").get();
    assertEquals("shop", adopted.getData().get("owner"));
    assertEquals("shop", adopted.getMetadata().getLabels().get("ordinal.dev/app"));
  }

  @Test
  void theOperatorCanAllowAKindAndANamespace(KubernetesClient client, TestNamespace ns)
      throws IOException {
    write(
        Map.of(
            "role.yaml",
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: reader}
            rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
            """));
    assertInstanceOf(
        SyncResult.Refused.class,
        sync(client, "shop", ns.name(), AppBoundary.defaults("shop", ns.name()))
            .sync(LocalDirectory.read(repo)));
    AppBoundary withRoles =
        new AppBoundary("shop", Set.of(ns.name()), Set.of("rbac.authorization.k8s.io/Role"), false);
    assertInstanceOf(
        SyncResult.Applied.class,
        sync(client, "shop", ns.name(), withRoles).sync(LocalDirectory.read(repo)));
  }
}
