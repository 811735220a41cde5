package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ownership read from managedFields tries, as a plan asks for it. */
class OwnedFieldsTest {
  private static final ListKey BY_NAME =
      ListKey.forField("containers", JsonNodeFactory.instance.arrayNode());

  private static JsonNode container(String name) {
    return JsonNodeFactory.instance.objectNode().put("name", name);
  }

  /** A live object with one managedFields entry per trie, each an apply of manager "ordinal". */
  @SafeVarargs
  private static ConfigMap appliedWith(Map<String, Object>... tries) {
    ObjectMetaBuilder metadata = new ObjectMetaBuilder().withName("c");
    for (Map<String, Object> trie : tries) {
      metadata
          .addNewManagedField()
          .withManager("ordinal")
          .withOperation("Apply")
          .withNewFieldsV1()
          .withAdditionalProperties(trie)
          .endFieldsV1()
          .endManagedField();
    }
    return new ConfigMapBuilder().withMetadata(metadata.build()).build();
  }

  private static Map<String, Object> containers(Map<String, Object> items) {
    return Map.of("f:spec", Map.of("f:containers", items));
  }

  @Test
  void aFieldWithNothingUnderItIsOwnedButHasNothingOwnedInside() {
    OwnedFields spec =
        OwnedFields.of(appliedWith(Map.of("f:spec", Map.of("f:x", Map.of()))), "ordinal")
            .field("spec");

    assertTrue(spec.ownsField("x"));
    assertSame(OwnedFields.NONE, spec.field("x"));
    assertFalse(spec.ownsField("y"));
    assertSame(OwnedFields.NONE, spec.field("y"));
  }

  @Test
  void anItemNamedByTwoEntriesIsTheFirstEntrysNotAMerge() {
    OwnedFields owned =
        OwnedFields.of(
            appliedWith(
                containers(Map.of("k:{\"name\":\"db\"}", Map.of("f:image", Map.of()))),
                containers(
                    Map.of(
                        "k:{\"name\":\"db\"}", Map.of("f:args", Map.of()),
                        "k:{\"name\":\"sidecar\"}", Map.of("f:image", Map.of())))),
            "ordinal");
    OwnedFields list = owned.field("spec").field("containers");

    OwnedFields db = list.item(container("db"), BY_NAME);
    assertTrue(db.ownsField("image"));
    assertFalse(db.ownsField("args"));
    // An item only the second entry names is still found there.
    assertTrue(list.ownsItem(container("sidecar"), BY_NAME));
    assertTrue(list.item(container("sidecar"), BY_NAME).ownsField("image"));
    assertFalse(list.ownsItem(container("other"), BY_NAME));
    assertSame(OwnedFields.NONE, list.item(container("other"), BY_NAME));
  }

  @Test
  void anItemWithNothingUnderItIsOwnedButHasNothingOwnedInside() {
    Map<String, Object> items = new LinkedHashMap<>();
    items.put("k:{\"name\":\"empty\"}", Map.of());
    items.put("k:{\"name\":\"null\"}", null);
    OwnedFields list =
        OwnedFields.of(appliedWith(containers(items)), "ordinal").field("spec").field("containers");

    for (String name : List.of("empty", "null")) {
      assertTrue(list.ownsItem(container(name), BY_NAME), name);
      assertSame(OwnedFields.NONE, list.item(container(name), BY_NAME), name);
    }
  }

  @Test
  void keysThatAreNotJsonObjectsAreSkippedEveryTimeTheyAreMet() {
    Map<String, Object> items = new LinkedHashMap<>();
    items.put("k:{not json", Map.of("f:image", Map.of()));
    items.put("k:\"db\"", Map.of("f:image", Map.of()));
    items.put("v:\"db\"", Map.of());
    items.put(".", Map.of());
    items.put("k:{\"name\":\"db\"}", Map.of("f:image", Map.of()));
    OwnedFields list =
        OwnedFields.of(appliedWith(containers(items)), "ordinal").field("spec").field("containers");

    for (int i = 0; i < 2; i++) { // the second time from the key cache
      assertTrue(list.item(container("db"), BY_NAME).ownsField("image"));
      assertFalse(list.ownsItem(container("other"), BY_NAME));
    }
  }

  @Test
  void noEntryOfTheManagerOwnsNothing() {
    assertSame(OwnedFields.NONE, OwnedFields.of(appliedWith(), "ordinal"));
    assertSame(
        OwnedFields.NONE, OwnedFields.of(appliedWith(Map.of("f:data", Map.of())), "someone-else"));
    assertSame(OwnedFields.NONE, OwnedFields.of(appliedWith(Map.of()), "ordinal"));
    assertSame(OwnedFields.NONE, OwnedFields.of(null, "ordinal"));
    assertFalse(OwnedFields.NONE.ownsField("data"));
    assertFalse(OwnedFields.NONE.ownsItem(container("db"), BY_NAME));
  }
}
