package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.parse;
import static dev.ordinal.plan.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.Annotations;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Holds {@link TypedComparison} to the tree path it stands in for: on a real server's StatefulSet
 * and its desired twin, under hundreds of random combinations of edits to either side, the changes
 * it finds are the trees' changes, in the trees' order, whenever it answers at all.
 */
class TypedComparisonTest {
  private static final PlanOptions OPTIONS = PlanOptions.of("streaming", "pipeline");
  private static final PlanOptions UNDER_POLICY = OPTIONS.withRolloutPolicy(sts -> true);

  record Edit(String name, Consumer<StatefulSet> apply) {}

  private static StatefulSet desired() {
    return parse(text("desired-statefulset-full.yaml"), StatefulSet.class);
  }

  private static StatefulSet live() {
    return parse(text("live-statefulset-full.yaml"), StatefulSet.class);
  }

  private static PodSpec pod(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec();
  }

  /** The container of that name; in another tree, the first (kafka) or the last (exporter). */
  private static Container container(StatefulSet sts, String name) {
    List<Container> containers = pod(sts).getContainers();
    return containers.stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElse(containers.get(name.equals("kafka") ? 0 : containers.size() - 1));
  }

  /** Edits of either side, each one a kind of difference the comparison must report as trees do. */
  static final List<Edit> EDITS =
      List.of(
          new Edit("image", s -> container(s, "kafka").setImage("apache/kafka:4.2.0")),
          new Edit("replicas", s -> s.getSpec().setReplicas(5)),
          new Edit("replicas long-lived as null", s -> s.getSpec().setReplicas(null)),
          new Edit(
              "partition", s -> s.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2)),
          new Edit("no rollingUpdate", s -> s.getSpec().getUpdateStrategy().setRollingUpdate(null)),
          new Edit(
              "label value", s -> s.getMetadata().getLabels().put("app.kubernetes.io/name", "x")),
          new Edit("new label", s -> s.getMetadata().getLabels().put("team", "core")),
          new Edit("no labels", s -> s.getMetadata().setLabels(new LinkedHashMap<>())),
          new Edit("null label", s -> s.getMetadata().getLabels().put("gone", null)),
          new Edit(
              "template commit",
              s -> s.getMetadata().getAnnotations().put("ordinal.dev/template-commit", "abc")),
          new Edit("no annotations", s -> s.getMetadata().setAnnotations(new LinkedHashMap<>())),
          new Edit(
              "annotation value",
              s -> s.getMetadata().getAnnotations().put("example.com/owner", "team-core")),
          new Edit(
              "last applied",
              s -> s.getMetadata().getAnnotations().put(Normaliser.LAST_APPLIED, "{}")),
          new Edit(
              "sync hold", s -> s.getMetadata().getAnnotations().put(Annotations.SYNC_HOLD, "3")),
          new Edit(
              "finalizer", s -> s.getMetadata().setFinalizers(new ArrayList<>(List.of("a/b")))),
          new Edit("generation", s -> s.getMetadata().setGeneration(9L)),
          new Edit(
              "pod annotation",
              s -> s.getSpec().getTemplate().getMetadata().getAnnotations().put("a", "b")),
          new Edit(
              "env added", s -> container(s, "kafka").getEnv().add(new EnvVar("EXTRA", "1", null))),
          new Edit("env removed", s -> container(s, "kafka").getEnv().remove(1)),
          new Edit("env value", s -> container(s, "kafka").getEnv().get(1).setValue("-Xmx4g")),
          new Edit("env reversed", s -> Collections.reverse(container(s, "kafka").getEnv())),
          new Edit("containers reversed", s -> Collections.reverse(pod(s).getContainers())),
          new Edit(
              "container added",
              s -> {
                Container sidecar = new Container();
                sidecar.setName("sidecar");
                sidecar.setImage("busybox");
                pod(s).getContainers().add(sidecar);
              }),
          new Edit("container removed", s -> pod(s).getContainers().remove(1)),
          new Edit(
              "port protocol", s -> container(s, "kafka").getPorts().get(0).setProtocol("UDP")),
          new Edit(
              "port added",
              s -> {
                ContainerPort port = new ContainerPort();
                port.setContainerPort(9999);
                container(s, "exporter").getPorts().add(port);
              }),
          new Edit("ports empty", s -> container(s, "exporter").setPorts(new ArrayList<>())),
          new Edit("args", s -> container(s, "exporter").setArgs(List.of("--other"))),
          new Edit("args added", s -> container(s, "exporter").getArgs().add("--more")),
          new Edit(
              "memory spelt in bytes",
              s ->
                  container(s, "kafka")
                      .getResources()
                      .getLimits()
                      .put("memory", new Quantity("4294967296"))),
          new Edit(
              "memory changed",
              s ->
                  container(s, "kafka")
                      .getResources()
                      .getRequests()
                      .put("memory", new Quantity("8Gi"))),
          new Edit(
              "cpu spelt in millis",
              s ->
                  container(s, "kafka")
                      .getResources()
                      .getRequests()
                      .put("cpu", new Quantity("1000m"))),
          new Edit(
              "probe port by number",
              s ->
                  container(s, "kafka")
                      .getReadinessProbe()
                      .getTcpSocket()
                      .setPort(new IntOrString(9092))),
          new Edit(
              "probe port as text",
              s ->
                  container(s, "kafka")
                      .getStartupProbe()
                      .getHttpGet()
                      .setPort(new IntOrString("8080"))),
          new Edit(
              "readOnly false",
              s -> container(s, "kafka").getVolumeMounts().get(0).setReadOnly(false)),
          new Edit(
              "readOnly dropped",
              s -> container(s, "kafka").getVolumeMounts().get(1).setReadOnly(null)),
          new Edit(
              "mount added",
              s -> {
                VolumeMount mount = new VolumeMount();
                mount.setName("credentials");
                mount.setMountPath("/secrets");
                container(s, "kafka").getVolumeMounts().add(mount);
              }),
          new Edit(
              "toleration added",
              s -> {
                Toleration toleration = new Toleration();
                toleration.setKey("spot");
                toleration.setOperator("Exists");
                pod(s).getTolerations().add(toleration);
              }),
          new Edit("toleration value", s -> pod(s).getTolerations().get(0).setValue("batch")),
          new Edit("no tolerations", s -> pod(s).setTolerations(new ArrayList<>())),
          new Edit("node selector empty", s -> pod(s).setNodeSelector(new LinkedHashMap<>())),
          new Edit("node selector", s -> pod(s).setNodeSelector(Map.of("disk", "ssd"))),
          new Edit("minReadySeconds zero", s -> s.getSpec().setMinReadySeconds(0)),
          new Edit("minReadySeconds dropped", s -> s.getSpec().setMinReadySeconds(null)),
          new Edit("serviceName dropped", s -> s.getSpec().setServiceName(null)),
          new Edit("fsGroup long", s -> pod(s).getSecurityContext().setFsGroup(1002L)),
          new Edit(
              "claim size",
              s ->
                  s.getSpec()
                      .getVolumeClaimTemplates()
                      .get(0)
                      .getSpec()
                      .getResources()
                      .getRequests()
                      .put("storage", new Quantity("200Gi"))),
          new Edit(
              "claim label",
              s ->
                  s.getSpec()
                      .getVolumeClaimTemplates()
                      .get(0)
                      .getMetadata()
                      .getLabels()
                      .put("x", "y")),
          new Edit(
              "unknown spec field",
              s -> s.getSpec().getAdditionalProperties().put("futureField", "on")),
          new Edit(
              "unknown container field",
              s -> container(s, "kafka").getAdditionalProperties().put("futureField", "on")),
          new Edit("status", s -> s.setStatus(null)),
          new Edit("managedFields dropped", s -> s.getMetadata().setManagedFields(null)),
          new Edit("new spec", s -> s.setSpec(new StatefulSetSpec())),
          new Edit("terminationGracePeriod", s -> pod(s).setTerminationGracePeriodSeconds(5L)),
          // Written "4Gi" as before, from an amount and a format split elsewhere.
          new Edit(
              "memory split oddly",
              s ->
                  container(s, "kafka")
                      .getResources()
                      .getRequests()
                      .put("memory", new Quantity("4G", "i"))),
          new Edit(
              "probe port same number",
              s ->
                  container(s, "kafka")
                      .getReadinessProbe()
                      .getTcpSocket()
                      .setPort(
                          new IntOrString(
                              container(s, "kafka")
                                  .getReadinessProbe()
                                  .getTcpSocket()
                                  .getPort()
                                  .getValue()))),
          new Edit(
              "env name twice",
              s -> {
                EnvVar first = container(s, "kafka").getEnv().get(0);
                container(s, "kafka").getEnv().add(new EnvVar(first.getName(), "again", null));
              }),
          new Edit("env without name", s -> container(s, "kafka").getEnv().get(1).setName(null)),
          new Edit(
              "port protocol spelt out",
              s -> container(s, "kafka").getPorts().get(0).setProtocol("TCP")));

  @Test
  void theRealServersTwinIsUnchangedWithNoTrees() {
    for (PlanOptions options : List.of(OPTIONS, UNDER_POLICY)) {
      StatefulSet desired = desired();
      StatefulSet live = live();
      List<FieldChange> typed = typed(desired, live, options);
      assertNotNull(typed, "the fixtures are plain models: no tree needed");
      assertEquals(trees(desired, live, options), typed);
    }
    // Under no policy the live partition (0) and Git's (0) agree; a different one is a change.
    StatefulSet desired = desired();
    desired.getSpec().getUpdateStrategy().getRollingUpdate().setPartition(2);
    assertEquals(
        List.of("spec.updateStrategy.rollingUpdate.partition"),
        paths(typed(desired, live(), OPTIONS)));
    assertEquals(List.of(), typed(desired, live(), UNDER_POLICY));
  }

  @Test
  void eachEditAloneGivesTheTreesChanges() {
    for (Edit edit : EDITS) {
      for (boolean onDesired : new boolean[] {true, false}) {
        for (PlanOptions options : List.of(OPTIONS, UNDER_POLICY)) {
          StatefulSet desired = desired();
          StatefulSet live = live();
          edit.apply().accept(onDesired ? desired : live);
          check(edit.name() + (onDesired ? " in Git" : " live"), desired, live, options);
        }
      }
    }
  }

  @Test
  void theSmallFixturesAndTheirEditsGiveTheTreesChanges() {
    // A server's defaults, a template creationTimestamp: null, decorated claim templates.
    StatefulSet desired = Fixtures.desiredStatefulSet();
    StatefulSet live = Fixtures.liveStatefulSet();
    assertNotNull(typed(desired, live, Fixtures.OPTIONS));
    check("as they are", desired, live, Fixtures.OPTIONS);
    int checked = 0;
    for (Edit edit : EDITS) {
      for (boolean onDesired : new boolean[] {true, false}) {
        desired = Fixtures.desiredStatefulSet();
        live = Fixtures.liveStatefulSet();
        try {
          edit.apply().accept(onDesired ? desired : live);
        } catch (RuntimeException notApplicable) {
          continue; // the small fixture lacks what this edit edits
        }
        check(edit.name(), desired, live, Fixtures.OPTIONS);
        checked++;
      }
    }
    assertTrue(checked > 40, "edits checked: " + checked);
  }

  @Test
  void randomCombinationsGiveTheTreesChanges() {
    Random random = new Random(20261204L);
    int answered = 0;
    int changed = 0;
    for (int round = 0; round < 600; round++) {
      StatefulSet desired = desired();
      StatefulSet live = live();
      StringBuilder story = new StringBuilder();
      int edits = 1 + random.nextInt(4);
      for (int i = 0; i < edits; i++) {
        Edit edit = EDITS.get(random.nextInt(EDITS.size()));
        boolean onDesired = random.nextBoolean();
        try {
          edit.apply().accept(onDesired ? desired : live);
        } catch (RuntimeException notApplicable) {
          continue; // an earlier edit removed what this one edits
        }
        story.append(edit.name()).append(onDesired ? " in Git; " : " live; ");
      }
      PlanOptions options = random.nextBoolean() ? OPTIONS : UNDER_POLICY;
      List<FieldChange> typed = check(story.toString(), desired, live, options);
      if (typed != null) {
        answered++;
        changed += typed.isEmpty() ? 0 : 1;
      }
    }
    // Most combinations are answered on the models, changes and all.
    assertTrue(answered > 400, "answered " + answered + " of 600");
    assertTrue(changed > 300, "changes found on the models in " + changed);
  }

  /** Cases a review found, or looked for, where the models and the trees could part. */
  @Test
  void handWrittenOwnershipAndOtherKindsGiveTheTreesChanges() {
    PlanOptions options = PlanOptions.of("ns", "app");
    // A trie key naming a dotted field: the trees read the item's own fields, so nothing is owned.
    check(
        "claim template keyed by metadata.name",
        parse(
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: s, namespace: ns}
            spec:
              serviceName: s
              volumeClaimTemplates:
              - metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce]}
            """,
            StatefulSet.class),
        parse(
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: s
              namespace: ns
              labels: {ordinal.dev/app: app}
            """
                + owning(
                    "{\"f:spec\":{\"f:volumeClaimTemplates\":{\"k:{\\\"metadata.name\\\":"
                        + "\\\"data\\\"}\":{\"f:spec\":{\"f:storageClassName\":{}}}}}}")
                + """
            spec:
              serviceName: s
              volumeClaimTemplates:
              - metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], storageClassName: fast}
            """,
            StatefulSet.class),
        options);
    // An owned port's name Git no longer sets is removed, on the models as on the trees.
    HasMetadata service =
        parse(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n",
            io.fabric8.kubernetes.api.model.Service.class);
    HasMetadata liveService =
        parse(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns\n"
                + "  labels: {ordinal.dev/app: app}\n"
                + owning(
                    "{\"f:spec\":{\"f:ports\":{\"k:{\\\"port\\\":80,\\\"protocol\\\":"
                        + "\\\"TCP\\\"}\":{\".\":{},\"f:name\":{},\"f:port\":{}}}}}")
                + "spec:\n  ports:\n  - port: 80\n    name: web\n    protocol: TCP\n",
            io.fabric8.kubernetes.api.model.Service.class);
    assertEquals(
        List.of("spec.ports[port=80,protocol=TCP].name"),
        paths(check("owned port name", service, liveService, options)));
    // An IntOrString written as null on both sides: the trees keep the server's null, owned.
    io.fabric8.kubernetes.api.model.Service nullTarget =
        (io.fabric8.kubernetes.api.model.Service) liveService;
    nullTarget.getSpec().getPorts().get(0).setTargetPort(new IntOrString());
    io.fabric8.kubernetes.api.model.Service wanted =
        (io.fabric8.kubernetes.api.model.Service) service;
    wanted.getSpec().getPorts().get(0).setTargetPort(new IntOrString());
    nullTarget
        .getMetadata()
        .getManagedFields()
        .get(0)
        .getFieldsV1()
        .setAdditionalProperty(
            "f:spec",
            Map.of(
                "f:ports",
                Map.of("k:{\"port\":80,\"protocol\":\"TCP\"}", Map.of("f:targetPort", Map.of()))));
    check("null IntOrString on both sides", wanted, nullTarget, options);
  }

  private static String owning(String fieldsV1) {
    return "  managedFields:\n  - manager: ordinal\n    operation: Apply\n    apiVersion: v1\n"
        + "    fieldsType: FieldsV1\n    fieldsV1: "
        + fieldsV1
        + "\n";
  }

  @Test
  void leavesToTheTreesWhatItCannotFollow() {
    StatefulSet desired = desired();
    desired.getAdditionalProperties().put("futureField", "on");
    assertNull(typed(desired, live(), OPTIONS), "a field the model does not know, at the root");
    // Deeper, the field that holds it is compared as trees, and the rest on the models.
    desired = desired();
    desired.getSpec().getAdditionalProperties().put("futureField", "on");
    assertEquals(List.of("spec.futureField"), paths(typed(desired, live(), OPTIONS)));
    HasMetadata secret =
        parse(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: streaming}\n"
                + "stringData: {a: b}\n",
            io.fabric8.kubernetes.api.model.Secret.class);
    assertNull(typed(secret, secret, OPTIONS), "string data is folded on trees");
  }

  private static List<FieldChange> check(
      String story, HasMetadata desired, HasMetadata live, PlanOptions options) {
    List<FieldChange> expected = trees(desired, live, options);
    List<FieldChange> typed = typed(desired, live, options);
    if (typed != null) {
      assertEquals(render(expected), render(typed), story);
      assertEquals(expected, typed, story);
    }
    return typed;
  }

  static String render(List<FieldChange> changes) {
    StringBuilder out = new StringBuilder();
    for (FieldChange change : changes) {
      out.append(change).append('\n');
    }
    return out.toString();
  }

  private static List<String> paths(List<FieldChange> changes) {
    return changes.stream().map(FieldChange::path).toList();
  }

  private static boolean ignoresPartition(HasMetadata desired, PlanOptions options) {
    return desired instanceof StatefulSet sts && options.isUnderRolloutPolicy(sts);
  }

  static List<FieldChange> typed(HasMetadata desired, HasMetadata live, PlanOptions options) {
    ObjectKey key = ObjectKey.of(desired, options.defaultNamespace());
    return TypedComparison.changes(
        key,
        desired,
        live,
        options,
        ignoresPartition(desired, options),
        OwnedFields.of(live, options.fieldManager()));
  }

  static List<FieldChange> trees(HasMetadata desired, HasMetadata live, PlanOptions options) {
    ObjectKey key = ObjectKey.of(desired, options.defaultNamespace());
    boolean ignorePartition = ignoresPartition(desired, options);
    return SubsetComparison.changes(
            Normaliser.desired(desired, key, options, ignorePartition),
            Normaliser.live(live, ignorePartition),
            OwnedFields.of(live, options.fieldManager()))
        .changes();
  }
}
