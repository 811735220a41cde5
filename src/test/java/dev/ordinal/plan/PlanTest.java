package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.OPTIONS;
import static dev.ordinal.plan.Fixtures.desiredStatefulSet;
import static dev.ordinal.plan.Fixtures.liveStatefulSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanTest {

  private static ConfigMap configMap(String name, String app) {
    ConfigMapBuilder builder =
        new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("prod").endMetadata();
    if (app != null) {
      builder.editMetadata().addToLabels(PlanOptions.APP_LABEL, app).endMetadata();
    }
    return builder.addToData("k", "v").build();
  }

  @Test
  void desiredWithoutLiveIsACreate() {
    Plan plan = Planner.plan(List.of(desiredStatefulSet()), List.of(), OPTIONS);

    ObjectPlan.Create create = assertInstanceOf(ObjectPlan.Create.class, plan.objects().get(0));
    assertEquals(new ObjectKey("apps", "StatefulSet", "prod", "db"), create.key());
    assertTrue(plan.hasChanges());
    assertEquals(new Plan.Counts(1, 0, 0, 0, 0), plan.counts());
  }

  @Test
  void unchangedPlanHasNoChanges() {
    Plan plan = Planner.plan(List.of(desiredStatefulSet()), List.of(liveStatefulSet()), OPTIONS);

    assertFalse(plan.hasChanges());
    assertFalse(plan.hasRefusals());
    assertEquals(new Plan.Counts(0, 1, 0, 0, 0), plan.counts());
    assertEquals("", plan.unifiedDiff());
  }

  @Test
  void labelledLiveObjectMissingFromGitIsAPruneCandidateOnlyWhenPruningIsEnabled() {
    List<HasMetadata> live = List.of(liveStatefulSet(), configMap("old-config", "shop"));

    Plan withoutPrune = Planner.plan(List.of(desiredStatefulSet()), live, OPTIONS);
    Plan withPrune =
        Planner.plan(List.of(desiredStatefulSet()), live, OPTIONS.withPruneEnabled(true));

    assertEquals(new Plan.Counts(0, 1, 0, 0, 0), withoutPrune.counts());
    assertFalse(withoutPrune.hasChanges());
    List<ObjectPlan.PruneCandidate> prune = withPrune.ofType(ObjectPlan.PruneCandidate.class);
    assertEquals(1, prune.size());
    assertEquals(new ObjectKey("", "ConfigMap", "prod", "old-config"), prune.get(0).key());
    assertTrue(withPrune.hasChanges());
  }

  @Test
  void neverPrunesClaimsProtectedOrForeignOrControlledObjects() {
    HasMetadata claim =
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("data-db-0")
            .withNamespace("prod")
            .addToLabels(PlanOptions.APP_LABEL, "shop")
            .endMetadata()
            .build();
    HasMetadata protectedConfig =
        new ConfigMapBuilder(configMap("keep", "shop"))
            .editMetadata()
            .addToAnnotations(PlanOptions.PRUNE_ANNOTATION, "false")
            .endMetadata()
            .build();
    HasMetadata otherApp = configMap("theirs", "billing");
    HasMetadata unlabelled = configMap("manual", null);
    HasMetadata controlled =
        new ConfigMapBuilder(configMap("generated", "shop"))
            .editMetadata()
            .addNewOwnerReference()
            .withApiVersion("apps/v1")
            .withKind("StatefulSet")
            .withName("db")
            .withUid("6f1c2b9e")
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();

    Plan plan =
        Planner.plan(
            List.of(),
            List.of(claim, protectedConfig, otherApp, unlabelled, controlled),
            OPTIONS.withPruneEnabled(true));

    assertEquals(List.of(), plan.objects());
  }

  @Test
  void objectsAreOrderedLikeKubectlApply() {
    List<HasMetadata> desired =
        List.of(
            new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().build(),
            desiredStatefulSet(),
            new ServiceBuilder().withNewMetadata().withName("db").endMetadata().build(),
            new SecretBuilder().withNewMetadata().withName("b-secret").endMetadata().build(),
            configMap("a-config", null),
            new RoleBindingBuilder().withNewMetadata().withName("rb").endMetadata().build(),
            new RoleBuilder().withNewMetadata().withName("r").endMetadata().build(),
            new ServiceAccountBuilder().withNewMetadata().withName("sa").endMetadata().build(),
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("a-config")
                .withNamespace("another")
                .endMetadata()
                .build(),
            new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build());

    Plan plan = Planner.plan(desired, List.of(), OPTIONS);

    assertEquals(
        List.of(
            "Namespace prod",
            "ServiceAccount prod/sa",
            "Role prod/r",
            "RoleBinding prod/rb",
            "ConfigMap another/a-config",
            "ConfigMap prod/a-config",
            "Secret prod/b-secret",
            "Service prod/db",
            "StatefulSet prod/db",
            "Deployment prod/web"),
        plan.objects().stream().map(p -> p.key().toString()).toList());
  }

  @Test
  void clusterScopedObjectsGetNoNamespace() {
    HasMetadata namespace =
        new NamespaceBuilder().withNewMetadata().withName("prod").endMetadata().build();

    assertEquals(new ObjectKey("", "Namespace", "", "prod"), ObjectKey.of(namespace, "default"));
  }

  @Test
  void objectsMatchAcrossApiVersionsOfTheSameGroup() {
    assertEquals(
        ObjectKey.of(desiredStatefulSet(), "prod"),
        ObjectKey.of(
            new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion("apps/v1beta2")
                .withKind("StatefulSet")
                .withNewMetadata()
                .withName("db")
                .endMetadata()
                .build(),
            "prod"));
  }

  @Test
  void duplicateDesiredObjectsAreRejected() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Planner.plan(
                    List.of(configMap("same", null), configMap("same", null)), List.of(), OPTIONS));

    assertTrue(error.getMessage().contains("ConfigMap prod/same"), error.getMessage());
  }

  @Test
  void liveObjectListedTwiceIsOneObject() {
    Plan plan =
        Planner.plan(
            List.of(configMap("same", null)),
            List.of(configMap("same", "shop"), configMap("same", "shop")),
            OPTIONS);

    assertEquals(new Plan.Counts(0, 1, 0, 0, 0), plan.counts());
  }

  @Test
  void mixedPlanCountsEveryOutcome() {
    ConfigMap liveConfig = configMap("settings", "shop");
    ConfigMap desiredConfig =
        new ConfigMapBuilder(configMap("settings", null)).addToData("k", "changed").build();

    Plan plan =
        Planner.plan(
            List.of(desiredStatefulSet(), desiredConfig, configMap("new", null)),
            List.of(liveStatefulSet(), liveConfig, configMap("gone", "shop")),
            OPTIONS.withPruneEnabled(true));

    assertEquals(new Plan.Counts(1, 1, 1, 0, 1), plan.counts());
    ObjectPlan.Update update = plan.ofType(ObjectPlan.Update.class).get(0);
    assertEquals(Set.of(ChangeClass.OTHER_SPEC), update.classes());
    assertEquals("data.k", update.changes().get(0).path());
  }

  @Test
  void otherKindsClassifyMetadataSeparately() {
    ConfigMap live = configMap("settings", "shop");
    ConfigMap desired =
        new ConfigMapBuilder(live)
            .editMetadata()
            .addToAnnotations("note", "x")
            .endMetadata()
            .build();

    ObjectPlan.Update update =
        assertInstanceOf(ObjectPlan.Update.class, Planner.planObject(desired, live, OPTIONS));

    assertEquals(Set.of(ChangeClass.METADATA), update.classes());
  }

  @Test
  void largeInputsPlanInParallelAndStayOrdered() {
    List<HasMetadata> desired = new ArrayList<>();
    List<HasMetadata> live = new ArrayList<>();
    for (int i = 999; i >= 0; i--) {
      String name = String.format("cm-%04d", i);
      desired.add(configMap(name, null));
      live.add(configMap(name, "shop"));
    }

    Plan plan = Planner.plan(desired, live, OPTIONS);

    assertEquals(new Plan.Counts(0, 1000, 0, 0, 0), plan.counts());
    assertEquals("cm-0000", plan.objects().get(0).key().name());
    assertEquals("cm-0999", plan.objects().get(999).key().name());
  }

  @Test
  void desiredAsAppliedCarriesNamespaceAndInventoryLabel() {
    io.fabric8.kubernetes.api.model.GenericKubernetesResource applied =
        Planner.desiredAsApplied(desiredStatefulSet(), OPTIONS);

    assertEquals("prod", applied.getMetadata().getNamespace());
    assertEquals("shop", applied.getMetadata().getLabels().get(PlanOptions.APP_LABEL));
    assertEquals("db", applied.getMetadata().getLabels().get("app"));
    assertEquals("StatefulSet", applied.getKind());
    // Planning what would be applied against the defaulted live object: nothing to do.
    assertInstanceOf(
        ObjectPlan.Unchanged.class, Planner.planObject(applied, liveStatefulSet(), OPTIONS));
  }
}
