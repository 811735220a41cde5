package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanMemoTest {
  @Test
  void unchangedObjectsReuseTheirPlanAndChangedOnesAreReplanned() {
    PlanMemo memo = new PlanMemo();
    StatefulSet desired = Fixtures.desiredStatefulSet();
    StatefulSet live = Fixtures.liveStatefulSet();

    Plan first = Planner.plan(List.of(desired), List.of(live), Fixtures.OPTIONS, memo);
    Plan second = Planner.plan(List.of(desired), List.of(live), Fixtures.OPTIONS, memo);
    assertEquals(first.objects().get(0).getClass(), second.objects().get(0).getClass());
    assertEquals(1, memo.hits());

    // The live object moved on (a new resourceVersion): plan again.
    StatefulSet moved = Fixtures.liveStatefulSet();
    moved.getMetadata().setResourceVersion("999999");
    Planner.plan(List.of(desired), List.of(moved), Fixtures.OPTIONS, memo);
    assertEquals(2, memo.misses());

    // A new desired instance (its blob changed): plan again, and the old entry is dropped.
    StatefulSet edited = Fixtures.desiredStatefulSet();
    edited.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:17.0");
    Plan third = Planner.plan(List.<HasMetadata>of(edited), List.of(moved), Fixtures.OPTIONS, memo);
    assertEquals(3, memo.misses());
    assertEquals(ObjectPlan.Update.class, third.objects().get(0).getClass());

    // Coming under a rollout policy changes the plan's rules: plan again.
    Planner.plan(
        List.<HasMetadata>of(edited),
        List.of(moved),
        Fixtures.OPTIONS.withRolloutPolicy(s -> true),
        memo);
    assertEquals(4, memo.misses());
  }

  @Test
  void aControllersStatusWriteReplansNothingUnderTheLiveFingerprint() {
    PlanMemo memo = new PlanMemo();
    StatefulSet desired = Fixtures.desiredStatefulSet();
    StatefulSet live = Fixtures.liveStatefulSet();
    Planner.plan(List.of(desired), source(live), List.of(), Fixtures.OPTIONS, memo);
    assertEquals(1, memo.misses());

    // The controller writes status: a new resourceVersion, new status, another manager's fields.
    StatefulSet written = Fixtures.liveStatefulSet();
    written.getMetadata().setResourceVersion("424242");
    written.getStatus().setReadyReplicas(0);
    written.getStatus().setObservedGeneration(99L);
    written
        .getMetadata()
        .getManagedFields()
        .add(
            new ManagedFieldsEntryBuilder()
                .withManager("kube-controller-manager")
                .withOperation("Update")
                .withSubresource("status")
                .build());
    Planner.plan(List.of(desired), source(written), List.of(), Fixtures.OPTIONS, memo);
    assertEquals(1, memo.misses(), "the status write changed nothing a plan reads");
    assertEquals(1, memo.hits());

    // A spec change by someone else is drift: plan again.
    StatefulSet scaled = Fixtures.liveStatefulSet();
    scaled.getSpec().setReplicas(7);
    Planner.plan(List.of(desired), source(scaled), List.of(), Fixtures.OPTIONS, memo);
    assertEquals(2, memo.misses());
  }

  @Test
  void aNewDesiredInstanceWithTheSameContentReusesThePlanAndCarriesTheNewInstance() {
    PlanMemo memo = new PlanMemo();
    StatefulSet live = Fixtures.liveStatefulSet();
    StatefulSet desired = Fixtures.desiredStatefulSet();
    desired.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:17.0");
    Planner.plan(List.of(desired), source(live), List.of(), Fixtures.OPTIONS, memo);

    // The file was reformatted or a comment changed: a new blob, a new instance, equal content.
    StatefulSet reparsed = Fixtures.desiredStatefulSet();
    reparsed.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:17.0");
    Plan again = Planner.plan(List.of(reparsed), source(live), List.of(), Fixtures.OPTIONS, memo);
    assertEquals(1, memo.misses());
    assertEquals(1, memo.hits());
    ObjectPlan.Update update = assertInstanceOf(ObjectPlan.Update.class, again.objects().get(0));
    assertSame(reparsed, update.desired(), "the plan applies the instance of this commit");
  }

  @Test
  void aRememberedUnchangedPlanKeepsOnlyTheIdentityOfItsLiveObject() {
    PlanMemo memo = new PlanMemo();
    StatefulSet desired = Fixtures.desiredStatefulSet();
    StatefulSet live = Fixtures.liveStatefulSet();
    Planner.plan(List.of(desired), source(live), List.of(), Fixtures.OPTIONS, memo);
    Plan again = Planner.plan(List.of(desired), source(live), List.of(), Fixtures.OPTIONS, memo);
    ObjectPlan.Unchanged unchanged =
        assertInstanceOf(ObjectPlan.Unchanged.class, again.objects().get(0));
    assertEquals(live.getMetadata().getName(), unchanged.live().getMetadata().getName());
    assertEquals(live.getMetadata().getUid(), unchanged.live().getMetadata().getUid());
    assertTrue(
        unchanged.live().getMetadata().getManagedFields() == null
            || unchanged.live().getMetadata().getManagedFields().isEmpty());
    assertFalse(
        Normaliser.MAPPER.valueToTree(unchanged.live()).has("spec"),
        "no spec, no pod template kept");
  }

  @Test
  void thePlanOfAnAppliedObjectIsRememberedFromTheServersAnswer() {
    PlanMemo memo = new PlanMemo();
    StatefulSet desired = Fixtures.desiredStatefulSet();
    StatefulSet answer = Fixtures.liveStatefulSet();
    Planner.rememberApplied(memo, desired, answer, Fixtures.OPTIONS);
    Plan next = Planner.plan(List.of(desired), source(answer), List.of(), Fixtures.OPTIONS, memo);
    assertEquals(0, memo.misses(), "nothing read: the plan was made from the apply's answer");
    assertEquals(
        Planner.planObject(desired, answer, Fixtures.OPTIONS).getClass(),
        next.objects().get(0).getClass());
  }

  /** A live side versioned by fingerprint, as the daemon's watch caches are. */
  private static Planner.LiveSource source(HasMetadata live) {
    return new Planner.LiveSource() {
      @Override
      public String version(ObjectKey key) {
        return LiveFingerprint.of(live);
      }

      @Override
      public HasMetadata read(ObjectKey key) {
        return live;
      }

      @Override
      public String versionOfRead(HasMetadata object) {
        return LiveFingerprint.of(object);
      }
    };
  }
}
