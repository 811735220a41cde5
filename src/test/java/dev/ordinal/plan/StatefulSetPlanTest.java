package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.OPTIONS;
import static dev.ordinal.plan.Fixtures.desiredStatefulSet;
import static dev.ordinal.plan.Fixtures.desiredStatefulSetYaml;
import static dev.ordinal.plan.Fixtures.edit;
import static dev.ordinal.plan.Fixtures.liveStatefulSet;
import static dev.ordinal.plan.Fixtures.liveStatefulSetYaml;
import static dev.ordinal.plan.Fixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class StatefulSetPlanTest {

  private static ObjectPlan plan(StatefulSet desired, StatefulSet live) {
    return Planner.planObject(desired, live, OPTIONS);
  }

  private static ObjectPlan.Update update(ObjectPlan plan) {
    return assertInstanceOf(ObjectPlan.Update.class, plan, () -> plan.toString());
  }

  private static List<String> paths(List<FieldChange> changes) {
    return changes.stream().map(FieldChange::path).toList();
  }

  @Test
  void unchangedManifestIsUnchangedAgainstTheDefaultedLiveObject() {
    ObjectPlan plan = plan(desiredStatefulSet(), liveStatefulSet());

    assertInstanceOf(ObjectPlan.Unchanged.class, plan, () -> plan.toString());
    assertEquals(new ObjectKey("apps", "StatefulSet", "prod", "db"), plan.key());
  }

  @Test
  void unchangedAgainstA135ServerThatOmitsNullCreationTimestamps() {
    StatefulSet live =
        parse(
            liveStatefulSetYaml().replaceAll("(?m)^ *creationTimestamp: null\n", ""),
            StatefulSet.class);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan(desiredStatefulSet(), live));
  }

  @Test
  void imageChangeIsAPodTemplateChange() {
    StatefulSet desired =
        parse(
            edit(desiredStatefulSetYaml(), "image: postgres:16.4", "image: postgres:16.5"),
            StatefulSet.class);

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(Set.of(ChangeClass.POD_TEMPLATE), update.classes());
    assertEquals(1, update.changes().size());
    FieldChange change = update.changes().get(0);
    assertEquals("spec.template.spec.containers[name=db].image", change.path());
    assertEquals("postgres:16.4", change.before().asText());
    assertEquals("postgres:16.5", change.after().asText());
  }

  @Test
  void replicasChangeIsAScale() {
    StatefulSet desired =
        new StatefulSetBuilder(desiredStatefulSet()).editSpec().withReplicas(5).endSpec().build();

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(Set.of(ChangeClass.SCALE), update.classes());
    assertTrue(update.isScaleOnly());
    assertEquals(List.of("spec.replicas"), paths(update.changes()));
    assertEquals(3, update.changes().get(0).before().asInt());
    assertEquals(5, update.changes().get(0).after().asInt());
  }

  @Test
  void labelChangeIsMetadata() {
    StatefulSet desired =
        new StatefulSetBuilder(desiredStatefulSet())
            .editMetadata()
            .addToLabels("team", "payments")
            .endMetadata()
            .build();

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(Set.of(ChangeClass.METADATA), update.classes());
    assertEquals(List.of("metadata.labels.team"), paths(update.changes()));
    assertTrue(update.changes().get(0).isAddition());
  }

  @Test
  void removingALabelOrdinalAppliedIsReported() {
    StatefulSet desired =
        new StatefulSetBuilder(desiredStatefulSet())
            .editMetadata()
            .removeFromLabels("app")
            .endMetadata()
            .build();

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(List.of("metadata.labels.app"), paths(update.changes()));
    assertTrue(update.changes().get(0).isRemoval());
    assertEquals(Set.of(ChangeClass.METADATA), update.classes());
  }

  @Test
  void envVarRemovedFromGitThatOrdinalOwnedIsARemoval() {
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            """
                        - name: POSTGRES_DB
                          value: app
            """,
            "");
    StatefulSet desired = parse(yaml, StatefulSet.class);

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(Set.of(ChangeClass.POD_TEMPLATE), update.classes());
    assertEquals(
        List.of("spec.template.spec.containers[name=db].env[name=POSTGRES_DB]"),
        paths(update.changes()));
    FieldChange removal = update.changes().get(0);
    assertTrue(removal.isRemoval());
    assertEquals("app", removal.before().path("value").asText());
  }

  @Test
  void fieldOwnedByOrdinalRemovedFromGitIsARemoval() {
    String yaml =
        edit(desiredStatefulSetYaml(), "            limits:\n              memory: 1Gi\n", "");
    StatefulSet desired = parse(yaml, StatefulSet.class);

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(
        List.of("spec.template.spec.containers[name=db].resources.limits"),
        paths(update.changes()));
    assertTrue(update.changes().get(0).isRemoval());
  }

  @Test
  void fieldsAddedByOtherManagersAreIgnored() {
    // kubectl rollout restart, a mutating webhook and an operator each add something Git lacks.
    String yaml =
        edit(
            liveStatefulSetYaml(),
            """
                  creationTimestamp: null
                  labels:
                    app: db
            """,
            """
                  annotations:
                    kubectl.kubernetes.io/restartedAt: "2026-11-24T09:00:00Z"
                  creationTimestamp: null
                  labels:
                    app: db
            """);
    yaml =
        edit(
            yaml,
            "          terminationMessagePath: /dev/termination-log\n",
            "          terminationMessagePath: /dev/termination-log\n"
                + "          securityContext:\n"
                + "            runAsNonRoot: true\n");
    yaml = edit(yaml, "  podManagementPolicy:", "  minReadySeconds: 10\n  podManagementPolicy:");
    StatefulSet live = parse(yaml, StatefulSet.class);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan(desiredStatefulSet(), live));
  }

  @Test
  void serverAddedMetadataIsIgnored() {
    StatefulSet live =
        new StatefulSetBuilder(liveStatefulSet())
            .editMetadata()
            .addToAnnotations("deployment.kubernetes.io/revision", "4")
            .addToLabels("controller-revision-hash", "db-7c9d5b8f6d")
            .addToFinalizers("example.com/protect")
            .endMetadata()
            .build();

    assertInstanceOf(ObjectPlan.Unchanged.class, plan(desiredStatefulSet(), live));
  }

  @Test
  void volumeClaimTemplateStorageChangeIsRefusedWithTheRemedy() {
    StatefulSet desired =
        parse(edit(desiredStatefulSetYaml(), "storage: 10Gi", "storage: 20Gi"), StatefulSet.class);

    ObjectPlan plan = plan(desired, liveStatefulSet());

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan);
    assertEquals(
        List.of("spec.volumeClaimTemplates[name=data].spec.resources.requests.storage"),
        paths(refused.forbidden()));
    assertTrue(
        refused
            .message()
            .startsWith(
                "StatefulSet prod/db:"
                    + " spec.volumeClaimTemplates[name=data].spec.resources.requests.storage cannot"
                    + " be changed on an existing StatefulSet (Kubernetes forbids it)."),
        refused.message());
    assertTrue(
        refused.message().contains("grows from 10Gi to 20Gi")
            && refused.message().contains("the existing PVCs (data-db-N) keep their old size")
            && refused.message().contains("spec.immutableChanges: recreate"),
        refused.message());
  }

  @Test
  void volumeGrowthOptedInPlansARecreate() {
    StatefulSet desired =
        parse(edit(desiredStatefulSetYaml(), "storage: 10Gi", "storage: 20Gi"), StatefulSet.class);

    ObjectPlan plan =
        Planner.planObject(desired, liveStatefulSet(), OPTIONS.withRecreate(sts -> true));

    ObjectPlan.Recreate recreate = assertInstanceOf(ObjectPlan.Recreate.class, plan);
    assertEquals(
        List.of(new ImmutableChanges.VolumeResize("data", "10Gi", "20Gi")),
        recreate.changes().growths());
  }

  @Test
  void volumeShrinkIsRefusedEvenWhenOptedIn() {
    StatefulSet desired =
        parse(edit(desiredStatefulSetYaml(), "storage: 10Gi", "storage: 5Gi"), StatefulSet.class);

    ObjectPlan.Refused refused =
        assertInstanceOf(
            ObjectPlan.Refused.class,
            Planner.planObject(desired, liveStatefulSet(), OPTIONS.withRecreate(sts -> true)));

    assertTrue(
        refused.message().contains("Kubernetes cannot shrink a PersistentVolumeClaim"),
        refused.message());
  }

  @Test
  void selectorRefusalSaysOrphanedPodsAreNotAdopted() {
    StatefulSet desired =
        parse(
            edit(
                desiredStatefulSetYaml(),
                "    matchLabels:\n      app: db",
                "    matchLabels:\n      app: db\n      tier: data"),
            StatefulSet.class);

    ObjectPlan.Refused refused =
        assertInstanceOf(ObjectPlan.Refused.class, plan(desired, liveStatefulSet()));

    assertTrue(refused.message().contains("will not adopt them"), refused.message());
  }

  @ParameterizedTest
  @CsvSource({
    "'  serviceName: db', '  serviceName: postgres', spec.serviceName",
    "'spec:\n  replicas: 3', 'spec:\n  podManagementPolicy: Parallel\n  replicas: 3',"
        + " spec.podManagementPolicy",
    "'    matchLabels:\n      app: db', '    matchLabels:\n      app: db\n      tier: data',"
        + " spec.selector.matchLabels.tier",
    "'    - metadata:\n        name: data', '    - metadata:\n        name: wal',"
        + " 'spec.volumeClaimTemplates[name=wal]'",
  })
  void immutableFieldChangesAreRefused(String from, String to, String path) {
    StatefulSet desired = parse(edit(desiredStatefulSetYaml(), from, to), StatefulSet.class);

    ObjectPlan.Refused refused =
        assertInstanceOf(ObjectPlan.Refused.class, plan(desired, liveStatefulSet()));

    assertTrue(paths(refused.forbidden()).contains(path), () -> refused.forbidden().toString());
    assertTrue(refused.message().startsWith("StatefulSet prod/db: "), refused.message());
    assertTrue(
        refused.message().contains("kubectl delete sts db --cascade=orphan"), refused.message());
  }

  @Test
  void forbiddenChangeRefusesEvenWithAllowedChangesAlongside() {
    String yaml = edit(desiredStatefulSetYaml(), "storage: 10Gi", "storage: 20Gi");
    yaml = edit(yaml, "image: postgres:16.4", "image: postgres:16.5");

    ObjectPlan plan = plan(parse(yaml, StatefulSet.class), liveStatefulSet());

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan);
    assertEquals(1, refused.forbidden().size());
  }

  @Test
  void partitionDrivenByTheRolloutEngineIsIgnoredUnderPolicy() {
    StatefulSet desired =
        new StatefulSetBuilder(desiredStatefulSet())
            .editSpec()
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withPartition(0)
            .endRollingUpdate()
            .endUpdateStrategy()
            .endSpec()
            .build();
    StatefulSet live =
        parse(edit(liveStatefulSetYaml(), "partition: 0", "partition: 2"), StatefulSet.class);

    PlanOptions underPolicy =
        OPTIONS.withRolloutPolicy(sts -> sts.getMetadata().getName().equals("db"));
    assertInstanceOf(ObjectPlan.Unchanged.class, Planner.planObject(desired, live, underPolicy));

    ObjectPlan.Update update = update(Planner.planObject(desired, live, OPTIONS));
    assertEquals(List.of("spec.updateStrategy.rollingUpdate.partition"), paths(update.changes()));
    assertEquals(Set.of(ChangeClass.OTHER_SPEC), update.classes());
  }

  @Test
  void otherUpdatableSpecFieldsAreOtherSpec() {
    StatefulSet desired =
        new StatefulSetBuilder(desiredStatefulSet())
            .editSpec()
            .withMinReadySeconds(15)
            .withRevisionHistoryLimit(5)
            .endSpec()
            .build();

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(Set.of(ChangeClass.OTHER_SPEC), update.classes());
    assertEquals(
        List.of("spec.minReadySeconds", "spec.revisionHistoryLimit"), paths(update.changes()));
  }

  @Test
  void explicitDefaultsInGitMatchTheServerDefaults() {
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            "          image: postgres:16.4\n",
            "          image: postgres:16.4\n          imagePullPolicy: IfNotPresent\n");
    yaml =
        edit(
            yaml,
            "              containerPort: 5432\n",
            "              containerPort: 5432\n              protocol: TCP\n");
    yaml =
        edit(
            yaml,
            "        accessModes: [ReadWriteOnce]\n",
            "        accessModes: [ReadWriteOnce]\n        volumeMode: Filesystem\n");
    yaml =
        edit(
            yaml,
            "    - metadata:\n        name: data",
            "    - apiVersion: v1\n"
                + "      kind: PersistentVolumeClaim\n"
                + "      metadata:\n"
                + "        name: data");

    assertInstanceOf(
        ObjectPlan.Unchanged.class, plan(parse(yaml, StatefulSet.class), liveStatefulSet()));
  }

  @ParameterizedTest
  @MethodSource("equalQuantities")
  void quantitiesCompareByValue(String from, String to) {
    StatefulSet desired = parse(edit(desiredStatefulSetYaml(), from, to), StatefulSet.class);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan(desired, liveStatefulSet()));
  }

  static Stream<Arguments> equalQuantities() {
    return Stream.of(
        Arguments.of("cpu: 500m", "cpu: '0.5'"),
        Arguments.of("memory: 1Gi\n            limits", "memory: '1073741824'\n            limits"),
        Arguments.of("memory: 1Gi\n            limits", "memory: 1073741824\n            limits"),
        Arguments.of("storage: 10Gi", "storage: 10240Mi"));
  }

  @Test
  void wholeCpuCompareByValue() {
    StatefulSet desired =
        parse(edit(desiredStatefulSetYaml(), "cpu: 500m", "cpu: 1"), StatefulSet.class);
    StatefulSet live =
        parse(edit(liveStatefulSetYaml(), "cpu: 500m", "cpu: 1000m"), StatefulSet.class);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan(desired, live));
  }

  @Test
  void differentQuantitiesAreAChange() {
    // 1G is 10^9 bytes, 1Gi is 2^30: a real change.
    StatefulSet desired =
        parse(edit(desiredStatefulSetYaml(), "memory: 1Gi", "memory: 1G"), StatefulSet.class);

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(
        List.of("spec.template.spec.containers[name=db].resources.requests.memory"),
        paths(update.changes()));
  }

  @Test
  void keyedListsMatchByKeyNotPosition() {
    // The live containers, env and mounts in another order than Git's: no change.
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            """
                        - name: PGDATA
                          value: /var/lib/postgresql/data/pgdata
                        - name: POSTGRES_DB
                          value: app
            """,
            """
                        - name: POSTGRES_DB
                          value: app
                        - name: PGDATA
                          value: /var/lib/postgresql/data/pgdata
            """);

    assertInstanceOf(
        ObjectPlan.Unchanged.class, plan(parse(yaml, StatefulSet.class), liveStatefulSet()));
  }

  @Test
  void addedSidecarIsAddressedByName() {
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            "      containers:\n",
            "      containers:\n        - name: exporter\n          image: exporter:0.15\n");

    ObjectPlan.Update update = update(plan(parse(yaml, StatefulSet.class), liveStatefulSet()));

    assertEquals(List.of("spec.template.spec.containers[name=exporter]"), paths(update.changes()));
    assertTrue(update.changes().get(0).isAddition());
  }

  @Test
  void containerPortsMatchByPortAndDefaultedProtocol() {
    String yaml = edit(desiredStatefulSetYaml(), "containerPort: 5432", "containerPort: 5433");

    ObjectPlan.Update update = update(plan(parse(yaml, StatefulSet.class), liveStatefulSet()));

    // 5433 is new, 5432 (owned by Ordinal) is removed.
    assertEquals(
        List.of(
            "spec.template.spec.containers[name=db].ports[containerPort=5433,protocol=TCP]",
            "spec.template.spec.containers[name=db].ports[containerPort=5432,protocol=TCP]"),
        paths(update.changes()));
  }

  @Test
  void genericDesiredFromYamlPlansLikeTheTypedModel() {
    ObjectPlan plan =
        Planner.planObject(Fixtures.generic(desiredStatefulSetYaml()), liveStatefulSet(), OPTIONS);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan);
  }

  @Test
  void genericDesiredUnderRolloutPolicyIsConvertedForThePredicate() {
    PlanOptions options = OPTIONS.withRolloutPolicy(sts -> sts.getSpec().getReplicas() == 3);
    StatefulSet live =
        parse(edit(liveStatefulSetYaml(), "partition: 0", "partition: 1"), StatefulSet.class);
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            "  serviceName: db\n",
            "  serviceName: db\n  updateStrategy:\n    rollingUpdate:\n      partition: 0\n");

    assertInstanceOf(
        ObjectPlan.Unchanged.class, Planner.planObject(Fixtures.generic(yaml), live, options));
  }

  @Test
  void argsCompareByPositionAsOneChange() {
    String desiredYaml =
        edit(
            desiredStatefulSetYaml(),
            "          image: postgres:16.4\n",
            "          image: postgres:16.4\n          args: [-c, max_connections=200]\n");
    String liveYaml =
        edit(
            liveStatefulSetYaml(),
            "          image: postgres:16.4\n",
            "          image: postgres:16.4\n          args: [max_connections=200, -c]\n");

    ObjectPlan.Update update =
        update(plan(parse(desiredYaml, StatefulSet.class), parse(liveYaml, StatefulSet.class)));

    assertEquals(List.of("spec.template.spec.containers[name=db].args"), paths(update.changes()));
  }

  @Test
  void fieldsOfADifferentManagerAreNotOwnedByOrdinal() {
    // The same removal as above, but the env var was added by someone else: not Ordinal's to
    // remove.
    PlanOptions otherManager = OPTIONS.withFieldManager("ordinal-canary");
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            """
                        - name: POSTGRES_DB
                          value: app
            """,
            "");

    assertInstanceOf(
        ObjectPlan.Unchanged.class,
        Planner.planObject(parse(yaml, StatefulSet.class), liveStatefulSet(), otherManager));
  }

  @Test
  void specFieldsOutsideTheUpdatableSetAreRefusedEvenIfUnknownToFabric8() {
    // A field a newer API server knows and the model does not: the allow-list still refuses it.
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            "  serviceName: db\n",
            "  serviceName: db\n  futureField: x\n");

    ObjectPlan plan = Planner.planObject(Fixtures.generic(yaml), liveStatefulSet(), OPTIONS);

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan);
    assertEquals(List.of("spec.futureField"), paths(refused.forbidden()));
  }

  @Test
  void removingReplicasFromGitIsAScaleToTheServerDefault() {
    // Checked on a real server: dropping an owned replicas field resets it to 1. Say so.
    StatefulSet desired =
        parse(edit(desiredStatefulSetYaml(), "  replicas: 3\n", ""), StatefulSet.class);

    ObjectPlan.Update update = update(plan(desired, liveStatefulSet()));

    assertEquals(Set.of(ChangeClass.SCALE), update.classes());
    assertTrue(update.changes().get(0).isRemoval());
  }

  @Test
  void zeroValuesTheServerOmitsAreNoChange() {
    // Checked on a real 1.35 server: these come back absent, which used to mean a perpetual diff.
    String yaml =
        edit(desiredStatefulSetYaml(), "              value: app\n", "              value: \"\"\n");
    yaml =
        edit(
            yaml,
            "              mountPath: /var/lib/postgresql/data\n",
            "              mountPath: /var/lib/postgresql/data\n"
                + "              readOnly: false\n"
                + "              subPath: \"\"\n");
    yaml =
        edit(
            yaml,
            "          image: postgres:16.4\n",
            "          image: postgres:16.4\n          stdin: false\n          tty: false\n"
                + "          workingDir: \"\"\n");
    yaml = edit(yaml, "      containers:\n", "      hostNetwork: false\n      containers:\n");
    yaml = edit(yaml, "  serviceName: db\n", "  serviceName: db\n  minReadySeconds: 0\n");
    StatefulSet live =
        parse(edit(liveStatefulSetYaml(), "              value: app\n", ""), StatefulSet.class);

    ObjectPlan plan = Planner.planObject(Fixtures.generic(yaml), live, OPTIONS);

    assertInstanceOf(ObjectPlan.Unchanged.class, plan, plan::toString);
  }

  @Test
  void zeroValuesOfPointerFieldsAreStillChanges() {
    // runAsUser: 0 means root; the server keeps it, so a live object without it really differs.
    String yaml =
        edit(
            desiredStatefulSetYaml(),
            "          image: postgres:16.4\n",
            "          image: postgres:16.4\n"
                + "          securityContext:\n"
                + "            runAsUser: 0\n");

    ObjectPlan.Update update = update(plan(parse(yaml, StatefulSet.class), liveStatefulSet()));

    assertEquals(
        List.of("spec.template.spec.containers[name=db].securityContext.runAsUser"),
        paths(update.changes()));
  }
}
