package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small parts: paths, list keys, managedFields tries, field changes, plan summaries. */
class PiecesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void pathsRenderFieldsItemsIndexesAndQuotedKeys() {
    FieldPath containers = FieldPath.ROOT.field("spec").field("containers");

    assertEquals(
        "spec.containers[name=db].image", containers.item("name=db").field("image").toString());
    assertEquals("spec.containers[0]", containers.index(0).toString());
    assertEquals(
        "metadata.labels[\"app.kubernetes.io/name\"]",
        FieldPath.ROOT
            .field("metadata")
            .field("labels")
            .field("app.kubernetes.io/name")
            .toString());
  }

  @Test
  void listKeysApplyServerDefaultsToKeyFields() {
    ListKey ports = ListKey.forField("ports", json("[{\"containerPort\": 80}]"));

    assertEquals("containerPort=80,protocol=TCP", ports.identity(json("{\"containerPort\": 80}")));
    assertEquals(
        "containerPort=53,protocol=UDP",
        ports.identity(json("{\"containerPort\": 53, \"protocol\": \"UDP\"}")));
    assertTrue(
        ports.matchesTrieKey(
            json("{\"containerPort\": 80}"), json("{\"containerPort\":80,\"protocol\":\"TCP\"}")));
    assertFalse(
        ports.matchesTrieKey(
            json("{\"containerPort\": 81}"), json("{\"containerPort\":80,\"protocol\":\"TCP\"}")));
  }

  @Test
  void listKeysKnowServicePortsClaimTemplatesAndPositionalLists() {
    assertEquals(
        "port=443,protocol=TCP",
        ListKey.forField("ports", json("[{\"port\": 443}]")).identity(json("{\"port\": 443}")));
    assertEquals(
        "name=data",
        ListKey.forField("volumeClaimTemplates", json("[]"))
            .identity(json("{\"metadata\": {\"name\": \"data\"}}")));
    assertNull(ListKey.forField("tolerations", json("[]")));
    assertNull(ListKey.forField("args", json("[]")));
    assertNull(ListKey.forField("containers", json("[]")).identity(json("{\"image\": \"x\"}")));
  }

  @Test
  void ownedFieldsMergeEveryApplyEntryOfTheManagerButNotOthersOrStatus() {
    HasMetadata live =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("c")
            .addNewManagedField()
            .withManager("ordinal")
            .withOperation("Apply")
            .withNewFieldsV1()
            .addToAdditionalProperties("f:data", Map.of("f:a", Map.of()))
            .endFieldsV1()
            .endManagedField()
            .addNewManagedField()
            .withManager("ordinal")
            .withOperation("Apply")
            .withNewFieldsV1()
            .addToAdditionalProperties("f:data", Map.of("f:b", Map.of()))
            .endFieldsV1()
            .endManagedField()
            .addNewManagedField()
            .withManager("ordinal")
            .withOperation("Update")
            .withNewFieldsV1()
            .addToAdditionalProperties("f:data", Map.of("f:c", Map.of()))
            .endFieldsV1()
            .endManagedField()
            .addNewManagedField()
            .withManager("ordinal")
            .withOperation("Apply")
            .withSubresource("status")
            .withNewFieldsV1()
            .addToAdditionalProperties("f:data", Map.of("f:d", Map.of()))
            .endFieldsV1()
            .endManagedField()
            .endMetadata()
            .build();

    OwnedFields data = OwnedFields.of(live, "ordinal").field("data");

    assertTrue(data.ownsField("a"));
    assertTrue(data.ownsField("b"));
    assertFalse(data.ownsField("c"));
    assertFalse(data.ownsField("d"));
    assertFalse(OwnedFields.of(live, "someone-else").ownsField("data"));
  }

  @Test
  void fieldChangesSayWhetherTheyAddOrRemove() {
    FieldChange added = new FieldChange("spec.replicas", null, IntNode.valueOf(3));
    FieldChange removed = new FieldChange("spec.replicas", IntNode.valueOf(3), null);
    FieldChange changed =
        new FieldChange("spec.serviceName", TextNode.valueOf("a"), TextNode.valueOf("b"));

    assertTrue(added.isAddition());
    assertEquals(MissingNode.getInstance(), added.before());
    assertTrue(removed.isRemoval());
    assertFalse(changed.isAddition() || changed.isRemoval());
    assertEquals("spec.serviceName: \"a\" -> \"b\"", changed.toString());
    assertEquals("spec.replicas: 3 -> <absent>", removed.toString());
  }

  @Test
  void planSummaryAndDeletionOrder() {
    PlanOptions options = PlanOptions.of("prod", "shop").withPruneEnabled(true);
    List<HasMetadata> live =
        List.of(
            new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace("prod")
                .addToLabels(PlanOptions.APP_LABEL, "shop")
                .endMetadata()
                .build(),
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cfg")
                .withNamespace("prod")
                .addToLabels(PlanOptions.APP_LABEL, "shop")
                .endMetadata()
                .build());

    Plan plan = Planner.plan(List.of(), live, options);

    assertEquals(
        "0 to create, 0 to update, 0 refused, 2 to prune, 0 unchanged", plan.counts().summary());
    assertEquals(
        List.of("Service", "ConfigMap"),
        plan.pruneCandidatesInDeletionOrder().stream().map(p -> p.key().kind()).toList());
  }
}
