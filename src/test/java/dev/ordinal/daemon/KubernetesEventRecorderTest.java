package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.RecreateEvent;
import dev.ordinal.rollout.SyncEvent;
import dev.ordinal.sim.SimClock;
import dev.ordinal.sim.SimCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubernetesEventRecorderTest {
  static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
  static final ClusterEvents.Involved STS =
      new ClusterEvents.Involved("StatefulSet", "shop", "orders", "uid-1");

  @Test
  void anIdenticalEventWithinTheWindowRaisesTheCountOfTheFirst() {
    EventSeries series = new EventSeries();
    EventSeries.Key key = new EventSeries.Key(STS, ClusterEvents.Type.WARNING, "SyncInvalid", "x");
    assertEquals(Optional.empty(), series.repeat(key, T));
    series.created(key, "orders.1", T);
    assertEquals(
        Optional.of(new EventSeries.Repeat("orders.1", 2, T)),
        series.repeat(key, T.plusSeconds(60)));
    assertEquals(
        Optional.of(new EventSeries.Repeat("orders.1", 3, T)),
        series.repeat(key, T.plusSeconds(120)));
    EventSeries.Key other =
        new EventSeries.Key(STS, ClusterEvents.Type.WARNING, "SyncInvalid", "y");
    assertEquals(Optional.empty(), series.repeat(other, T.plusSeconds(120)), "another message");
    assertEquals(
        Optional.empty(),
        series.repeat(key, T.plusSeconds(120).plus(EventSeries.WINDOW).plusSeconds(1)),
        "past the window a new Event starts");
  }

  @Test
  void invalidAndRefusedCommitsArePostedOnTheAppAndTheObjectOnceWithACount() {
    try (SimCluster cluster = new SimCluster(new SimClock(T, 1), Duration.ofSeconds(1))) {
      KubernetesEventRecorder recorder = new KubernetesEventRecorder(cluster);
      SyncEvent invalid =
          new SyncEvent.SyncInvalid(
              "shop-app", "0123456789abcdef", 1, List.of("db/sts.yaml:5: spec.replicas: bad"));
      SyncEvent refused =
          new SyncEvent.SyncRefused(
              "shop-app",
              "0123456789abcdef",
              List.of(
                  new SyncEvent.Refusal(
                      "apps", "StatefulSet", "shop", "db", "spec.volumeClaimTemplates changed")));
      for (SyncEvent e : List.of(invalid, invalid, invalid, refused)) {
        recorder.on(
            new EventBus.Occurrence(T, "shop", "shop-app", "", "invalid", e, Optional.empty()));
      }
      List<SimCluster.PostedEvent> posted = cluster.events();
      assertEquals(2, posted.size(), posted.toString());
      SimCluster.PostedEvent first = posted.get(0);
      assertEquals(new ClusterEvents.Involved("Namespace", "shop", "shop", null), first.involved());
      assertEquals("SyncInvalid", first.reason());
      assertEquals(3, first.count());
      assertTrue(
          first.message().startsWith("app shop-app commit 0123456789ab: 1 manifest error(s)")
              && first.message().endsWith("db/sts.yaml:5: spec.replicas: bad"),
          first.message());
      SimCluster.PostedEvent second = posted.get(1);
      assertEquals(
          new ClusterEvents.Involved("StatefulSet", "shop", "db", null), second.involved());
      assertEquals("SyncRefused", second.reason());
      assertEquals(ClusterEvents.Type.WARNING, second.type());
    }
  }

  @Test
  void aSyncThatChangedSomethingOrFailedIsPostedOnTheAppsNamespaceAndAnIdleOneIsNot() {
    try (SimCluster cluster = new SimCluster(new SimClock(T, 1), Duration.ofSeconds(1))) {
      KubernetesEventRecorder recorder = new KubernetesEventRecorder(cluster);
      SyncEvent idle = new SyncEvent.SyncApplied("shop-app", "0123456789abcdef", 0, 0, 0, 4, 0);
      SyncEvent applied = new SyncEvent.SyncApplied("shop-app", "0123456789abcdef", 1, 2, 0, 1, 0);
      SyncEvent failed =
          new SyncEvent.SyncFailed(
              "shop-app", "0123456789abcdef", "GET https://bot:s3cret@api.example/x: timeout");
      for (SyncEvent e : List.of(idle, applied, failed)) {
        recorder.on(
            new EventBus.Occurrence(T, "shop", "shop-app", "", "sync", e, Optional.empty()));
      }
      List<SimCluster.PostedEvent> posted = cluster.events();
      assertEquals(
          List.of("Synced", "SyncFailed"),
          posted.stream().map(SimCluster.PostedEvent::reason).toList(),
          "no Event for a sync that changed nothing");
      SimCluster.PostedEvent synced = posted.get(0);
      assertEquals(
          new ClusterEvents.Involved("Namespace", "shop", "shop", null), synced.involved());
      assertEquals(ClusterEvents.Type.NORMAL, synced.type());
      assertEquals(
          "app shop-app commit 0123456789ab: applied: created 1, updated 2, held for rollout 0,"
              + " unchanged 1, pruned 0",
          synced.message());
      SimCluster.PostedEvent syncFailed = posted.get(1);
      assertEquals(ClusterEvents.Type.WARNING, syncFailed.type());
      assertTrue(!syncFailed.message().contains("s3cret"), syncFailed.message());
      assertTrue(syncFailed.message().contains("timeout"), syncFailed.message());
    }
  }

  @Test
  void aRecreatesStepsArePostedOnTheStatefulSetByNameAndItsWaitsAreNot() {
    try (SimCluster cluster = new SimCluster(new SimClock(T, 1), Duration.ofSeconds(1))) {
      KubernetesEventRecorder recorder = new KubernetesEventRecorder(cluster);
      for (RecreateEvent.Step step :
          List.of(
              RecreateEvent.Step.CLAIM_PATCHED,
              RecreateEvent.Step.WAITING,
              RecreateEvent.Step.ORPHANED,
              RecreateEvent.Step.FAILED)) {
        RecreateEvent event =
            new RecreateEvent("shop", "orders", "c0ffee", step, "", step.label() + " happened");
        recorder.on(
            new EventBus.Occurrence(T, "shop", "orders", null, "x", event, Optional.empty()));
      }
      List<SimCluster.PostedEvent> posted = cluster.events();
      assertEquals(
          List.of("RecreateClaimPatched", "RecreateOrphaned", "RecreateFailed"),
          posted.stream().map(SimCluster.PostedEvent::reason).toList());
      assertEquals(
          new ClusterEvents.Involved("StatefulSet", "shop", "orders", null),
          posted.get(0).involved(),
          "by name: the StatefulSet may be gone while it is recreated");
      assertEquals(ClusterEvents.Type.NORMAL, posted.get(1).type());
      assertEquals(ClusterEvents.Type.WARNING, posted.get(2).type());
      assertEquals("failed happened", posted.get(2).message());
    }
  }
}
