package dev.ordinal.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HealthTest {
  /** A StatefulSet view with the controller's status counts. */
  static StatefulSetView view(
      int replicas,
      UpdateStrategy strategy,
      int partition,
      String current,
      String update,
      long generation,
      long observed,
      int ready,
      int updated) {
    return new StatefulSetView(
        "prod",
        "db",
        replicas,
        strategy,
        partition,
        1,
        current,
        update,
        generation,
        observed,
        ready,
        updated,
        RolloutSource.UNKNOWN,
        null);
  }

  @Test
  void aSpecTheControllerHasNotObservedIsNeverHealthy() {
    Health h = Health.of(view(3, UpdateStrategy.ROLLING_UPDATE, 0, "a", "a", 5, 4, 3, 3));
    assertEquals(Health.Status.NOT_OBSERVED, h.status());
    assertFalse(h.observed());
    assertTrue(h.message().contains("generation 5"), h.message());
  }

  @Test
  void allReadyOnTheOneRevisionIsHealthy() {
    assertEquals(
        Health.Status.HEALTHY,
        Health.of(view(3, UpdateStrategy.ROLLING_UPDATE, 0, "a", "a", 2, 2, 3, 3)).status());
  }

  @Test
  void upToDateButNotAllReadyIsUnavailable() {
    Health h = Health.of(view(3, UpdateStrategy.ROLLING_UPDATE, 0, "a", "a", 2, 2, 2, 3));
    assertEquals(Health.Status.UNAVAILABLE, h.status());
    assertEquals("2 of 3 pods ready", h.message());
  }

  @Test
  void podsMovingToTheUpdateRevisionAreUpdating() {
    Health h = Health.of(view(3, UpdateStrategy.ROLLING_UPDATE, 0, "a", "b", 2, 2, 3, 1));
    assertEquals(Health.Status.UPDATING, h.status());
    assertEquals("1 of 3 pods updated to b", h.message());
  }

  /** As kubectl rollout status: a partitioned rollout is done when the pods above it are. */
  @Test
  void aPartitionedRolloutIsDoneOnceThePodsAboveThePartitionAre() {
    assertEquals(
        Health.Status.UPDATING,
        Health.of(view(5, UpdateStrategy.ROLLING_UPDATE, 3, "a", "b", 2, 2, 5, 1)).status());
    assertEquals(
        Health.Status.HEALTHY,
        Health.of(view(5, UpdateStrategy.ROLLING_UPDATE, 3, "a", "b", 2, 2, 5, 2)).status());
    assertEquals(
        Health.Status.UNAVAILABLE,
        Health.of(view(5, UpdateStrategy.ROLLING_UPDATE, 3, "a", "b", 2, 2, 4, 2)).status());
  }

  @Test
  void aPartitionCoveringEveryPodHoldsTheNewRevisionBack() {
    Health h = Health.of(view(3, UpdateStrategy.ROLLING_UPDATE, 3, "a", "b", 2, 2, 3, 0));
    assertEquals(Health.Status.HELD, h.status());
    assertTrue(h.message().contains("partition 3"), h.message());
  }

  /** OnDelete never advances currentRevision by itself: a new revision means pods to delete. */
  @Test
  void onDeleteWithANewRevisionIsUpdating() {
    assertEquals(
        Health.Status.UPDATING,
        Health.of(view(3, UpdateStrategy.ON_DELETE, 0, "a", "b", 2, 2, 3, 3)).status());
  }
}
