package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.OPTIONS;
import static dev.ordinal.plan.Fixtures.generic;
import static dev.ordinal.plan.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalisationTest {

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: db
        namespace: prod
      spec:
        selector:
          app: db
        ports:
          - name: pg
            port: 5432
            targetPort: 5432
      """;

  private static final String LIVE_SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: db
        namespace: prod
        labels:
          ordinal.dev/app: shop
        resourceVersion: "7"
        uid: 0a1b
      spec:
        clusterIP: 10.96.12.7
        clusterIPs: [10.96.12.7]
        internalTrafficPolicy: Cluster
        ipFamilies: [IPv4]
        ipFamilyPolicy: SingleStack
        ports:
          - name: pg
            port: 5432
            protocol: TCP
            targetPort: 5432
        selector:
          app: db
        sessionAffinity: None
        type: ClusterIP
      status:
        loadBalancer: {}
      """;

  @Test
  void defaultedServiceIsUnchanged() {
    ObjectPlan plan =
        Planner.planObject(
            parse(SERVICE, Service.class), parse(LIVE_SERVICE, Service.class), OPTIONS);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan);
  }

  @Test
  void intOrStringTargetPortIsNotEqualToItsStringForm() {
    String desired = Fixtures.edit(SERVICE, "targetPort: 5432", "targetPort: \"5432\"");

    ObjectPlan.Update update =
        assertInstanceOf(
            ObjectPlan.Update.class,
            Planner.planObject(
                parse(desired, Service.class), parse(LIVE_SERVICE, Service.class), OPTIONS));

    FieldChange change = update.changes().get(0);
    assertEquals("spec.ports[port=5432,protocol=TCP].targetPort", change.path());
    assertEquals(5432, change.before().intValue());
    assertEquals("5432", change.after().textValue());
  }

  @Test
  void emptyMapsInGitMatchAbsentLiveFields() {
    String desired =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          annotations: {}
          creationTimestamp: null
        data: {}
        """;
    String live =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: prod
          labels:
            ordinal.dev/app: shop
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: "{}"
        """;

    assertInstanceOf(
        ObjectPlan.Unchanged.class,
        Planner.planObject(generic(desired), parse(live, ConfigMap.class), OPTIONS));
  }

  @Test
  void annotationKeysAreQuotedInPaths() {
    String desired =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          annotations:
            example.com/owner: team-a
        """;
    String live =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: prod
        """;

    ObjectPlan.Update update =
        assertInstanceOf(
            ObjectPlan.Update.class,
            Planner.planObject(generic(desired), parse(live, ConfigMap.class), OPTIONS));

    // The inventory label counts too: apply will add it, so a plan must say so.
    assertEquals(
        List.of(
            "metadata.annotations[\"example.com/owner\"]", "metadata.labels[\"ordinal.dev/app\"]"),
        update.changes().stream().map(FieldChange::path).toList());
  }

  @Test
  void ownedFieldsParseKeysOfKeyedLists() {
    OwnedFields owned = OwnedFields.of(Fixtures.liveStatefulSet(), "ordinal");
    OwnedFields container =
        owned
            .field("spec")
            .field("template")
            .field("spec")
            .field("containers")
            .item(
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode()
                    .put("name", "db"),
                ListKey.forField(
                    "containers",
                    new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode()));

    assertEquals(true, container.ownsField("image"));
    assertEquals(false, container.ownsField("imagePullPolicy"));
    assertEquals(
        false,
        OwnedFields.of(Fixtures.liveStatefulSet(), "kube-controller-manager").ownsField("status"));
  }

  @Test
  void limitRangeQuantitiesCompareByValue() {
    String desired =
        """
        apiVersion: v1
        kind: LimitRange
        metadata:
          name: defaults
        spec:
          limits:
            - type: Container
              default:
                cpu: 0.5
                memory: 512Mi
              defaultRequest:
                cpu: 250m
        """;
    String live =
        """
        apiVersion: v1
        kind: LimitRange
        metadata:
          name: defaults
          namespace: prod
          labels:
            ordinal.dev/app: shop
        spec:
          limits:
            - type: Container
              default:
                cpu: 500m
                memory: 512Mi
              defaultRequest:
                cpu: 250m
                memory: 512Mi
        """;

    assertInstanceOf(
        ObjectPlan.Unchanged.class,
        Planner.planObject(
            generic(desired),
            parse(live, io.fabric8.kubernetes.api.model.LimitRange.class),
            OPTIONS));
  }
}
