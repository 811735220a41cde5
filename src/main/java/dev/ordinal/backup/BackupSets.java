package dev.ordinal.backup;

import dev.ordinal.rollout.BackupView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** VolumeSnapshots grouped into the sets they were taken in, by their backup id label. */
public final class BackupSets {
  private BackupSets() {}

  /** One set as listed: its snapshots and what their labels say. */
  public record Listed(
      String id,
      String statefulSet,
      String revision,
      String commit,
      int size,
      Instant createdAt,
      List<VolumeSnapshot> snapshots) {
    public Listed {
      snapshots = List.copyOf(snapshots);
    }

    /** Every snapshot exists, is readyToUse and is not being deleted. */
    public boolean ready() {
      return snapshots.size() >= size
          && snapshots.stream().allMatch(s -> s.ready() && !s.terminating());
    }

    /** How many of its snapshots are readyToUse. */
    public long readyCount() {
      return snapshots.stream().filter(VolumeSnapshot::ready).count();
    }

    /** The first error of its snapshots, or "". */
    public String error() {
      return snapshots.stream()
          .filter(s -> !s.error().isEmpty())
          .map(s -> s.claim() + ": " + s.error())
          .findFirst()
          .orElse("");
    }
  }

  /** Groups snapshots by backup id; snapshots without one are not Ordinal's and are left out. */
  public static Map<String, Listed> group(List<VolumeSnapshot> snapshots) {
    Map<String, List<VolumeSnapshot>> byId = new TreeMap<>();
    for (VolumeSnapshot s : snapshots) {
      String id = s.label(BackupNames.BACKUP_ID);
      if (!id.isEmpty()) {
        byId.computeIfAbsent(id, k -> new ArrayList<>()).add(s);
      }
    }
    Map<String, Listed> sets = new LinkedHashMap<>();
    byId.forEach((id, members) -> sets.put(id, listed(id, members)));
    return sets;
  }

  private static Listed listed(String id, List<VolumeSnapshot> members) {
    members.sort((a, b) -> a.claim().compareTo(b.claim()));
    VolumeSnapshot first = members.get(0);
    Instant created = members.stream().map(VolumeSnapshot::createdAt).min(Instant::compareTo).get();
    int size = members.size();
    try {
      size = Math.max(size, Integer.parseInt(first.annotation(BackupNames.SET_SIZE)));
    } catch (NumberFormatException e) {
      // an unlabelled size: the set is what exists
    }
    return new Listed(
        id,
        first.label(BackupNames.STATEFULSET),
        first.label(BackupNames.REVISION),
        first.label(BackupNames.COMMIT),
        size,
        created,
        members);
  }

  /** The engine's view of a listed set. */
  public static BackupView.SnapshotSet view(Listed set) {
    Map<String, BackupView.Snapshot> byClaim = new TreeMap<>();
    for (VolumeSnapshot s : set.snapshots()) {
      byClaim.put(
          s.claim(),
          new BackupView.Snapshot(
              s.name(), s.cut() || s.ready(), s.ready(), s.error(), s.terminating()));
    }
    return new BackupView.SnapshotSet(
        set.id(), set.createdAt(), set.size(), set.revision(), set.commit(), byClaim);
  }
}
