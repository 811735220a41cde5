package dev.ordinal.plan;

import static dev.ordinal.plan.Fixtures.edit;
import static dev.ordinal.plan.Fixtures.parse;
import static dev.ordinal.plan.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Against what a real 1.35.4 API server returned for a feature-rich StatefulSet. */
class RealServerFixtureTest {
  private static final PlanOptions OPTIONS = PlanOptions.of("streaming", "pipeline");

  private static String desiredYaml() {
    return text("desired-statefulset-full.yaml");
  }

  private static StatefulSet live() {
    return parse(text("live-statefulset-full.yaml"), StatefulSet.class);
  }

  private static ObjectPlan plan(String desiredYaml) {
    return Planner.planObject(parse(desiredYaml, StatefulSet.class), live(), OPTIONS);
  }

  private static List<String> paths(ObjectPlan plan) {
    return assertInstanceOf(ObjectPlan.Update.class, plan, plan::toString).changes().stream()
        .map(FieldChange::path)
        .toList();
  }

  @Test
  void everyServerDefaultIsIgnored() {
    // Probe timings, fieldRef apiVersion, volume defaultMode 420, imagePullPolicy Always for
    // :latest, resources {}, serviceAccount, quantities respelled by the server...
    assertInstanceOf(ObjectPlan.Unchanged.class, plan(desiredYaml()));
  }

  @Test
  void everyServerDefaultIsIgnoredForGenericDesiredToo() {
    assertInstanceOf(
        ObjectPlan.Unchanged.class,
        Planner.planObject(Fixtures.generic(desiredYaml()), live(), OPTIONS));
  }

  @Test
  void probeChangeIsAPodTemplateChange() {
    ObjectPlan plan =
        plan(edit(desiredYaml(), "initialDelaySeconds: 5", "initialDelaySeconds: 15"));

    assertEquals(
        List.of("spec.template.spec.containers[name=kafka].readinessProbe.initialDelaySeconds"),
        paths(plan));
    assertEquals(Set.of(ChangeClass.POD_TEMPLATE), ((ObjectPlan.Update) plan).classes());
  }

  @Test
  void volumeRemovedFromGitIsARemovalByName() {
    String yaml =
        edit(
            desiredYaml(),
            "        - name: credentials\n"
                + "          secret:\n"
                + "            secretName: kafka-credentials\n",
            "");

    ObjectPlan plan = plan(yaml);

    assertEquals(List.of("spec.template.spec.volumes[name=credentials]"), paths(plan));
  }

  @Test
  void tolerationChangeComparesByPosition() {
    ObjectPlan plan = plan(edit(desiredYaml(), "value: streaming", "value: batch"));

    assertEquals(List.of("spec.template.spec.tolerations[0].value"), paths(plan));
  }

  @Test
  void retentionPolicyIsAnUpdatableSpecField() {
    ObjectPlan plan = plan(edit(desiredYaml(), "whenScaled: Delete", "whenScaled: Retain"));

    assertEquals(List.of("spec.persistentVolumeClaimRetentionPolicy.whenScaled"), paths(plan));
    assertEquals(Set.of(ChangeClass.OTHER_SPEC), ((ObjectPlan.Update) plan).classes());
  }

  @Test
  void claimTemplateStorageClassChangeIsRefused() {
    ObjectPlan plan =
        plan(edit(desiredYaml(), "storageClassName: fast-ssd", "storageClassName: slow"));

    ObjectPlan.Refused refused = assertInstanceOf(ObjectPlan.Refused.class, plan);
    assertTrue(
        refused.message().contains("spec.volumeClaimTemplates[name=data].spec.storageClassName"),
        refused.message());
    assertTrue(refused.message().contains("'kubectl delete sts kafka --cascade=orphan'"));
  }

  @Test
  void namedPortChangeInAProbeIsSeen() {
    // IntOrString: the named port "client" and a number are different values.
    ObjectPlan plan = plan(edit(desiredYaml(), "port: client", "port: 9092"));

    assertEquals(
        List.of("spec.template.spec.containers[name=kafka].readinessProbe.tcpSocket.port"),
        paths(plan));
  }
}
