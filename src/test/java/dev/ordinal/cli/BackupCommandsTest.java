package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.backup.BackupNames;
import dev.ordinal.backup.BackupSets;
import dev.ordinal.backup.VolumeSnapshot;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.TestStates;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackupCommandsTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  static VolumeSnapshot snapshot(String id, int ordinal, boolean ready, String size, String error) {
    return new VolumeSnapshot(
        "data-db-" + ordinal + "-" + id,
        "uid",
        Map.of(
            BackupNames.BACKUP_ID, "db-" + id,
            BackupNames.STATEFULSET, "db",
            BackupNames.REVISION, "db-7c9f",
            BackupNames.COMMIT, "4f2a9c1e5b7d"),
        Map.of(BackupNames.SET_SIZE, "2"),
        "data-db-" + ordinal,
        "",
        ready,
        ready,
        error,
        ready ? size : "",
        NOW.minus(Duration.ofMinutes(90)),
        false);
  }

  @Test
  void listShowsEverySetNewestFirstWithSizesWhereKnown() {
    List<VolumeSnapshot> snapshots =
        List.of(
            snapshot("a", 0, true, "2Gi", ""),
            snapshot("a", 1, true, "2Gi", ""),
            snapshot("b", 0, false, "", "driver: quota exceeded"),
            new VolumeSnapshot(
                "someone-elses",
                "",
                Map.of(),
                Map.of(),
                "x",
                "",
                true,
                true,
                "",
                "1Gi",
                NOW,
                false));
    Map<String, BackupSets.Listed> sets = BackupSets.group(snapshots);
    assertEquals(Set.of("db-a", "db-b"), sets.keySet(), "only Ordinal's snapshots");
    assertEquals(
        """
        ID    STATEFULSET  REVISION  COMMIT    PVCS  SIZE  READY                                      AGE
        db-a  db           db-7c9f   4f2a9c1e  2     4Gi   2/2                                        90m
        db-b  db           db-7c9f   4f2a9c1e  2     -     failed: data-db-0: driver: quota exceeded  90m
        """,
        BackupCommands.table(List.copyOf(sets.values()), NOW));
  }

  @Test
  void agesReadAsKubectlWritesThem() {
    assertEquals("45s", BackupCommands.age(Duration.ofSeconds(45)));
    assertEquals("12m", BackupCommands.age(Duration.ofMinutes(12)));
    assertEquals("5h", BackupCommands.age(Duration.ofHours(5)));
    assertEquals("3d", BackupCommands.age(Duration.ofDays(3)));
  }

  @Test
  void aSetIsReferencedWhileItsRolloutMayStillRestoreIt() {
    RolloutState rolledBack =
        TestStates.withBackup(
            TestStates.of(
                "s",
                "t",
                0,
                2,
                Phase.ROLLED_BACK,
                PhaseReason.ABORTED,
                "",
                false,
                Set.of(),
                List.of(),
                NOW),
            new RolloutState.Backup(
                "db-a", RolloutState.BackupStage.READY, NOW, false, "", List.of(1), ""));
    assertEquals(
        Optional.of("the rollout it was taken for is RolledBack and may restore it"),
        BackupCommands.referencedBecause(rolledBack, "db-a"));
    assertEquals(Optional.empty(), BackupCommands.referencedBecause(rolledBack, "db-old"));
  }
}
