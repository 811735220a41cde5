package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ManifestObject;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Holds {@link TypedComparison} to the tree path on what a real API server answers: every object of
 * the example trees is applied as Ordinal applies it, read back, and compared both ways, as it is
 * and (for StatefulSets) under each edit of {@link TypedComparisonTest}.
 */
@ControlPlaneTest
class TypedComparisonIT {
  private static final List<String> TREES =
      List.of(
          "examples/minimal", "examples/orders-db/envs/prod", "examples/orders-db/envs/staging");

  @Test
  void theExamplesAsTheServerAnswersThemCompareAlikeBothWays(
      KubernetesClient client, TestNamespace ns) throws Exception {
    PlanOptions options = PlanOptions.of(ns.name(), "typed-it");
    int objects = 0;
    int typedAnswers = 0;
    int edits = 0;
    for (int t = 0; t < TREES.size(); t++) {
      String tree = TREES.get(t);
      LoadResult loaded =
          new ManifestLoader(ConditionGrammar.INSTANCE).load(LocalDirectory.read(Path.of(tree)));
      List<ManifestObject> declared = ((LoadResult.Loaded) loaded).state().objects();
      for (ManifestObject object : declared) {
        HasMetadata desired = object.resource();
        // One namespace for all, and the trees' objects share names: each tree's get a suffix.
        desired.getMetadata().setNamespace(ns.name());
        desired.getMetadata().setName(desired.getMetadata().getName() + "-" + t);
        client
            .resource(Planner.desiredAsApplied(desired, options))
            .fieldManager(options.fieldManager())
            .forceConflicts()
            .serverSideApply();
        HasMetadata live = client.resource(desired).get();
        assertNotNull(live, tree + ": " + desired.getKind() + " read back");
        String where = tree + " " + desired.getKind() + "/" + desired.getMetadata().getName();
        List<FieldChange> expected = TypedComparisonTest.trees(desired, live, options);
        assertEquals(List.of(), expected, where + ": unchanged after its own apply");
        List<FieldChange> typed = TypedComparisonTest.typed(desired, live, options);
        objects++;
        if (typed != null) {
          typedAnswers++;
          assertEquals(expected, typed, where);
        }
        if (desired instanceof StatefulSet sts) {
          edits += checkEdits(where, sts, live, options);
        }
      }
    }
    System.out.printf(
        "typed comparison answered %d of %d objects; %d edits of StatefulSets checked%n",
        typedAnswers, objects, edits);
    assertTrue(objects >= 8, "objects: " + objects);
    assertTrue(typedAnswers >= objects / 2, "answered " + typedAnswers + " of " + objects);
    assertTrue(edits > 60, "edits checked: " + edits);
  }

  private static int checkEdits(
      String where, StatefulSet desired, HasMetadata live, PlanOptions options) {
    int checked = 0;
    for (TypedComparisonTest.Edit edit : TypedComparisonTest.EDITS) {
      StatefulSet copy = Normaliser.MAPPER.convertValue(desired, StatefulSet.class);
      try {
        edit.apply().accept(copy);
      } catch (RuntimeException notApplicable) {
        continue; // the example lacks what this edit edits
      }
      List<FieldChange> expected = TypedComparisonTest.trees(copy, live, options);
      List<FieldChange> typed = TypedComparisonTest.typed(copy, live, options);
      if (typed != null) {
        assertEquals(
            TypedComparisonTest.render(expected),
            TypedComparisonTest.render(typed),
            where + " with " + edit.name());
        checked++;
      }
    }
    return checked;
  }
}
