package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.HasMetadata;
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
    assertSame(first.objects().get(0), second.objects().get(0));
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
}
