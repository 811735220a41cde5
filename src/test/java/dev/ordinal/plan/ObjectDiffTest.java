package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.OPTIONS;
import static dev.ordinal.plan.Fixtures.desiredStatefulSetYaml;
import static dev.ordinal.plan.Fixtures.edit;
import static dev.ordinal.plan.Fixtures.generic;
import static dev.ordinal.plan.Fixtures.liveStatefulSet;
import static dev.ordinal.plan.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectDiffTest {

  private static final String LIVE_CONFIG =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        namespace: prod
        labels:
          ordinal.dev/app: shop
          team: payments
        resourceVersion: "912"
        uid: 3f0e
        managedFields:
          - manager: ordinal
            operation: Apply
            apiVersion: v1
            fieldsType: FieldsV1
            fieldsV1:
              f:data:
                f:max_connections: {}
                f:mode: {}
                f:shared_buffers: {}
              f:metadata:
                f:labels:
                  f:ordinal.dev/app: {}
                  f:team: {}
      data:
        max_connections: "100"
        mode: primary
        shared_buffers: 128MB
        added-by-hand: "yes"
      """;

  private static final String DESIRED_CONFIG =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        labels:
          team: payments
      data:
        max_connections: "200"
        mode: primary
      """;

  @Test
  void updateShowsOnlyRealChanges() {
    Plan plan =
        Planner.plan(
            List.of(generic(DESIRED_CONFIG)),
            List.of(parse(LIVE_CONFIG, ConfigMap.class)),
            OPTIONS);

    assertEquals(
        """
        --- live/ConfigMap/prod/settings
        +++ desired/ConfigMap/prod/settings
        @@ -1,8 +1,7 @@
         apiVersion: v1
         data:
        -  max_connections: "100"
        +  max_connections: "200"
           mode: primary
        -  shared_buffers: 128MB
         kind: ConfigMap
         metadata:
           labels:
        """,
        plan.unifiedDiff());
  }

  @Test
  void createShowsEveryLineAdded() {
    Plan plan = Planner.plan(List.of(generic(DESIRED_CONFIG)), List.of(), OPTIONS);

    assertEquals(
        """
        --- live/ConfigMap/prod/settings
        +++ desired/ConfigMap/prod/settings
        @@ -0,0 +1,11 @@
        +apiVersion: v1
        +data:
        +  max_connections: "200"
        +  mode: primary
        +kind: ConfigMap
        +metadata:
        +  labels:
        +    ordinal.dev/app: shop
        +    team: payments
        +  name: settings
        +  namespace: prod
        """,
        plan.unifiedDiff());
  }

  @Test
  void pruneShowsEveryLineRemoved() {
    Plan plan =
        Planner.plan(
            List.of(),
            List.of(parse(LIVE_CONFIG, ConfigMap.class)),
            OPTIONS.withPruneEnabled(true));

    String diff = plan.unifiedDiff();

    assertEquals("--- live/ConfigMap/prod/settings", diff.lines().findFirst().orElseThrow());
    assertEquals(
        List.of(), diff.lines().skip(3).filter(line -> !line.startsWith("-")).toList(), diff);
    assertEquals(false, diff.contains("managedFields"), diff);
  }

  @Test
  void statefulSetDiffHidesServerDefaults() {
    StatefulSet desired =
        parse(
            edit(desiredStatefulSetYaml(), "image: postgres:16.4", "image: postgres:16.5"),
            StatefulSet.class);

    String diff = Planner.plan(List.of(desired), List.of(liveStatefulSet()), OPTIONS).unifiedDiff();

    assertEquals(
        List.of("-        image: postgres:16.4", "+        image: postgres:16.5"),
        diff.lines().skip(2).filter(line -> line.startsWith("-") || line.startsWith("+")).toList(),
        diff);
  }

  @Test
  void refusedDiffShowsTheForbiddenChange() {
    StatefulSet desired =
        parse(edit(desiredStatefulSetYaml(), "storage: 10Gi", "storage: 20Gi"), StatefulSet.class);

    String diff = Planner.plan(List.of(desired), List.of(liveStatefulSet()), OPTIONS).unifiedDiff();

    assertEquals(
        List.of("-          storage: 10Gi", "+          storage: 20Gi"),
        diff.lines().skip(2).filter(line -> line.startsWith("-") || line.startsWith("+")).toList(),
        diff);
  }

  @Test
  void removalOfAnOwnedEnvVarShowsAsRemovedLines() {
    StatefulSet desired =
        parse(
            edit(
                desiredStatefulSetYaml(),
                "            - name: POSTGRES_DB\n              value: app\n",
                ""),
            StatefulSet.class);

    String diff = Planner.plan(List.of(desired), List.of(liveStatefulSet()), OPTIONS).unifiedDiff();

    assertEquals(
        List.of("-        - name: POSTGRES_DB", "-          value: app"),
        diff.lines().skip(2).filter(line -> line.startsWith("-") || line.startsWith("+")).toList(),
        diff);
  }

  @Test
  void multiLineValuesDiffLineByLine() {
    String live =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: pg
          namespace: prod
          labels:
            ordinal.dev/app: shop
        data:
          postgresql.conf: |
            max_connections = 100
            shared_buffers = 128MB
            wal_level = replica
        """;
    String desired = edit(live, "shared_buffers = 128MB", "shared_buffers = 1GB");

    String diff =
        Planner.plan(List.of(generic(desired)), List.of(parse(live, ConfigMap.class)), OPTIONS)
            .unifiedDiff();

    assertEquals(
        List.of("-    shared_buffers = 128MB", "+    shared_buffers = 1GB"),
        diff.lines().skip(2).filter(line -> line.startsWith("-") || line.startsWith("+")).toList(),
        diff);
  }

  @Test
  void secretValuesNeverShowAndStringDataMatchesData() {
    String live =
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db-credentials
          namespace: prod
          labels:
            ordinal.dev/app: shop
        type: Opaque
        data:
          password: aHVudGVyMg==
          user: YXBw
        """;
    // stringData as people write it: the server stores it base64-encoded under data.
    String unchanged =
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db-credentials
        type: Opaque
        stringData:
          password: hunter2
          user: app
        """;
    String changed = edit(unchanged, "password: hunter2", "password: correct-horse");

    Plan same =
        Planner.plan(List.of(generic(unchanged)), List.of(parse(live, Secret.class)), OPTIONS);
    Plan plan =
        Planner.plan(List.of(generic(changed)), List.of(parse(live, Secret.class)), OPTIONS);

    assertEquals(new Plan.Counts(0, 1, 0, 0, 0), same.counts());
    ObjectPlan.Update update = plan.ofType(ObjectPlan.Update.class).get(0);
    assertEquals("data.password: \"***\" -> \"***\"", update.changes().get(0).toString());
    String diff = plan.unifiedDiff();
    assertEquals(
        List.of("-  password: '*** (before)'", "+  password: '*** (after)'"),
        diff.lines().skip(2).filter(line -> line.startsWith("-") || line.startsWith("+")).toList(),
        diff);
    assertFalse(diff.contains("aHVudGVyMg") || diff.contains("YXBw"), diff);
  }
}
