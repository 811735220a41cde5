package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.OPTIONS;
import static dev.ordinal.plan.Fixtures.desiredStatefulSetYaml;
import static dev.ordinal.plan.Fixtures.edit;
import static dev.ordinal.plan.Fixtures.liveStatefulSet;
import static dev.ordinal.plan.Fixtures.liveStatefulSetYaml;
import static dev.ordinal.plan.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Forbidden changes other than volume growth, for a StatefulSet that opted in to recreates. */
class RecreateRolloutPlanTest {
  static final PlanOptions OPTED_IN = OPTIONS.withRecreate(sts -> true);

  static StatefulSet desired(String from, String to) {
    return parse(edit(desiredStatefulSetYaml(), from, to), StatefulSet.class);
  }

  /** The plan, opted in, of the desired fixture with each pair (from, to) edited in. */
  static ObjectPlan optedIn(String... edits) {
    String yaml = desiredStatefulSetYaml();
    for (int i = 0; i < edits.length; i += 2) {
      yaml = edit(yaml, edits[i], edits[i + 1]);
    }
    return Planner.planObject(parse(yaml, StatefulSet.class), liveStatefulSet(), OPTED_IN);
  }

  @Test
  void aNewServiceNamePlansARecreateThatRollsThePods() {
    ObjectPlan plan = optedIn("  serviceName: db", "  serviceName: postgres");

    ObjectPlan.Recreate recreate = assertInstanceOf(ObjectPlan.Recreate.class, plan);
    assertTrue(recreate.rollsPods());
    assertTrue(recreate.changes().growths().isEmpty());
    assertEquals(List.of("spec.serviceName"), paths(recreate.changes().others()));
  }

  @Test
  void aNewPodManagementPolicyWithVolumeGrowthPlansOneRecreateThatRollsThePods() {
    ObjectPlan plan =
        optedIn(
            "storage: 10Gi",
            "storage: 20Gi",
            "spec:\n  replicas: 3",
            "spec:\n  podManagementPolicy: Parallel\n  replicas: 3");

    ObjectPlan.Recreate recreate = assertInstanceOf(ObjectPlan.Recreate.class, plan);
    assertTrue(recreate.rollsPods());
    assertEquals(
        List.of(new ImmutableChanges.VolumeResize("data", "10Gi", "20Gi")),
        recreate.changes().growths());
  }

  @Test
  void volumeGrowthAloneRollsNoPod() {
    ObjectPlan plan = optedIn("storage: 10Gi", "storage: 20Gi");

    assertFalse(assertInstanceOf(ObjectPlan.Recreate.class, plan).rollsPods());
  }

  @Test
  void aSelectorTheRunningTemplateAlreadyMatchesPlansARecreate() {
    String tierTemplate = "      labels:\n        app: db\n        tier: data\n";
    String desired =
        edit(
            edit(
                desiredStatefulSetYaml(),
                "    matchLabels:\n      app: db",
                "    matchLabels:\n      app: db\n      tier: data"),
            "      labels:\n        app: db\n    spec:",
            tierTemplate + "    spec:");
    String live =
        edit(
            liveStatefulSetYaml(),
            "      labels:\n        app: db\n    spec:",
            tierTemplate + "    spec:");

    ObjectPlan plan =
        Planner.planObject(
            parse(desired, StatefulSet.class), parse(live, StatefulSet.class), OPTED_IN);

    ObjectPlan.Recreate recreate =
        assertInstanceOf(ObjectPlan.Recreate.class, plan, plan::toString);
    assertEquals(List.of("spec.selector.matchLabels.tier"), paths(recreate.changes().others()));
  }

  @Test
  void aSelectorChangedWithThePodTemplateIsRefusedWithTheTwoCommitPath() {
    ObjectPlan plan =
        optedIn(
            "    matchLabels:\n      app: db",
            "    matchLabels:\n      app: db\n      tier: data",
            "      labels:\n        app: db\n    spec:",
            "      labels:\n        app: db\n        tier: data\n    spec:");

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan);
    assertTrue(
        refused.message().contains("also changes the pod template")
            && refused
                .message()
                .contains("first add the new selector's labels to the pod template"),
        refused.message());
  }

  @Test
  void volumeGrowthWithAPodTemplateChangeIsRefusedRatherThanRollingEveryPodAtOnce() {
    String image =
        Fixtures.desiredStatefulSetYaml()
            .lines()
            .filter(l -> l.contains("image:"))
            .findFirst()
            .orElseThrow();
    ObjectPlan plan = optedIn("storage: 10Gi", "storage: 20Gi", image, image + "-next");

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan, plan::toString);
    assertTrue(
        refused.message().contains("also changes the pod template")
            && refused.message().contains("outside the rollout policy's steps"),
        refused.message());
  }

  @Test
  void aShrinkBesideANewServiceNameIsStillRefused() {
    ObjectPlan plan =
        optedIn("storage: 10Gi", "storage: 5Gi", "  serviceName: db", "  serviceName: postgres");

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan);
    assertTrue(refused.message().contains("cannot shrink"), refused.message());
    assertTrue(refused.message().contains("not in a commit that also shrinks"), refused.message());
  }

  @Test
  void withoutTheOptInTheRefusalNamesIt() {
    ObjectPlan plan =
        Planner.planObject(
            desired("  serviceName: db", "  serviceName: postgres"), liveStatefulSet(), OPTIONS);

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan);
    assertTrue(
        refused.message().contains("roll the pods through the rollout policy")
            && refused.message().contains("spec.immutableChanges: recreate"),
        refused.message());
  }

  @Test
  void theRestartAnnotationOfAnotherFieldManagerIsNoChange() {
    StatefulSet live = liveStatefulSet();
    Map<String, String> annotations = new HashMap<>();
    annotations.put("ordinal.dev/recreated-at", "c2");
    live.getSpec().getTemplate().getMetadata().setAnnotations(annotations);
    Map<String, Object> trie =
        Map.of(
            "f:spec",
            Map.of(
                "f:template",
                Map.of(
                    "f:metadata",
                    Map.of("f:annotations", Map.of("f:ordinal.dev/recreated-at", Map.of())))));
    ManagedFieldsEntry entry = new ManagedFieldsEntry();
    entry.setManager("ordinal-recreate");
    entry.setOperation("Apply");
    entry.setFieldsType("FieldsV1");
    FieldsV1 fields = new FieldsV1();
    trie.forEach(fields::setAdditionalProperty);
    entry.setFieldsV1(fields);
    List<ManagedFieldsEntry> managed = new ArrayList<>(live.getMetadata().getManagedFields());
    managed.add(entry);
    live.getMetadata().setManagedFields(managed);

    ObjectPlan plan = Planner.planObject(Fixtures.desiredStatefulSet(), live, OPTED_IN);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan, plan::toString);
  }

  private static List<String> paths(List<FieldChange> changes) {
    return changes.stream().map(FieldChange::path).toList();
  }
}
