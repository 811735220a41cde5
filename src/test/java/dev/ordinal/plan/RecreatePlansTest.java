package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.liveStatefulSetYaml;
import static dev.ordinal.plan.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.Manifests;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ordinal plan} prints for a recreate that rolls the pods. */
class RecreatePlansTest {
  @TempDir Path dir;

  static final String POLICY = Manifests.RECREATE_POLICY;

  private List<String> sections(String sts, String policy) throws Exception {
    return sections(sts, policy, liveStatefulSetYaml());
  }

  private List<String> sections(String sts, String policy, String live) throws Exception {
    Files.writeString(dir.resolve("sts.yaml"), sts);
    if (policy != null) {
      Files.writeString(dir.resolve("policy.yaml"), policy);
    }
    LoadResult loaded = Loaders.unconfigured().load(LocalDirectory.read(dir));
    DesiredState state =
        assertInstanceOf(LoadResult.Loaded.class, loaded, loaded::toString).state();
    StatefulSet desired = (StatefulSet) state.statefulSets().get(0).resource();
    PlanOptions options = Fixtures.OPTIONS.withRecreate(s -> true);
    ObjectPlan plan = Planner.planObject(desired, parse(live, StatefulSet.class), options);
    assertInstanceOf(ObjectPlan.Recreate.class, plan, plan::toString);
    return RolloutPlans.recreateSections(new Plan(List.of(plan), options), state);
  }

  private static String withPolicy(String yaml) {
    return yaml.replace(
        "  labels:\n    app: db\n",
        "  labels:\n    app: db\n  annotations:\n    ordinal.dev/policy: canary\n");
  }

  @Test
  void aNewServiceNameListsTheRecreateAndThePodsInThePolicysSteps() throws Exception {
    String sts =
        withPolicy(Fixtures.desiredStatefulSetYaml().replace("serviceName: db", "serviceName: pg"));

    String section = sections(sts, POLICY).get(0);

    assertTrue(
        section.startsWith(
            "### StatefulSet prod/db: spec.serviceName changes, the StatefulSet is recreated and"
                + " its pods rolled\n"),
        section);
    assertTrue(section.contains("propagationPolicy Orphan: its 3 pods"), section);
    assertTrue(section.contains("`ordinal.dev/recreated-at`"), section);
    assertTrue(section.contains("holding the partition at 3"), section);
    assertTrue(section.contains("through policy canary, highest ordinal first"), section);
    assertTrue(
        section.contains("### Rollout plan for prod/db (3 replicas, RollingUpdate)"), section);
    assertTrue(!section.contains("new selector"), section);
  }

  @Test
  void aNewSelectorListsTheRelabelling() throws Exception {
    String tier = "      labels:\n        app: db\n        tier: data\n    spec:";
    String sts =
        withPolicy(
            Fixtures.desiredStatefulSetYaml()
                .replace(
                    "    matchLabels:\n      app: db",
                    "    matchLabels:\n      app: db\n      tier: data")
                .replace("      labels:\n        app: db\n    spec:", tier));
    String live = liveStatefulSetYaml().replace("      labels:\n        app: db\n    spec:", tier);

    String section = sections(sts, POLICY, live).get(0);

    assertTrue(
        section.contains(
            "the new selector's labels `tier: data` (its other labels stay), so the new"
                + " StatefulSet adopts it: `db-0`, `db-1`, `db-2`."),
        section);
  }

  @Test
  void withoutAPolicyTheControllerReplacesThePodsHighestFirst() throws Exception {
    String sts =
        Fixtures.desiredStatefulSetYaml()
            .replace("serviceName: db", "serviceName: pg")
            .replace(
                "  labels:\n    app: db\n",
                "  labels:\n    app: db\n  annotations:\n    ordinal.dev/immutable-changes: recreate\n");

    List<String> sections = sections(sts, null);

    assertEquals(1, sections.size());
    assertTrue(sections.get(0).contains("`db-2`, `db-1`, `db-0`"), sections.get(0));
  }
}
