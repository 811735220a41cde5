package dev.ordinal.backup;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The labels, annotations and names of what backups create, derived from the backup id alone, so
 * creating anything twice finds the first one.
 */
public final class BackupNames {
  /** On every snapshot and hook Job: the backup it belongs to. */
  public static final String BACKUP_ID = "ordinal.dev/backup-id";

  /** On every snapshot and hook Job: the StatefulSet whose claims it copies. */
  public static final String STATEFULSET = "ordinal.dev/statefulset";

  /** On every snapshot: the revision the pods ran when it was taken. */
  public static final String REVISION = "ordinal.dev/revision";

  /** On every snapshot: the Git commit whose rollout it preceded (empty for a user's backup). */
  public static final String COMMIT = "ordinal.dev/commit";

  /** On hook Jobs: {@code quiesce} or {@code resume}. */
  public static final String HOOK = "ordinal.dev/hook";

  /** Annotation on every snapshot: how many snapshots its set has. */
  public static final String SET_SIZE = "ordinal.dev/set-size";

  /** Annotation on every snapshot: the claim it copies, as JSON, to create it again. */
  public static final String CLAIM = "ordinal.dev/claim";

  /** Annotation on a restored claim: the restore that created it. */
  public static final String RESTORE_ID = "ordinal.dev/restore-id";

  /** Annotation on a restored claim: the snapshot it was created from. */
  public static final String RESTORED_FROM = "ordinal.dev/restored-from";

  /** The API group of VolumeSnapshots, as a claim's dataSource names it. */
  public static final String SNAPSHOT_GROUP = "snapshot.storage.k8s.io";

  private static final int ID_PREFIX = 40;

  private BackupNames() {}

  /** The labels that select a StatefulSet's snapshots. */
  public static Map<String, String> ofStatefulSet(String statefulSet) {
    return Map.of(STATEFULSET, statefulSet);
  }

  /** The labels that select one set. */
  public static Map<String, String> ofSet(String statefulSet, String backupId) {
    return Map.of(STATEFULSET, statefulSet, BACKUP_ID, backupId);
  }

  /**
   * The snapshot of {@code claim} in backup {@code backupId}: the claim's name (which carries the
   * StatefulSet's) and the backup's time stamp, e.g. {@code data-db-0-20260101-120000}.
   */
  public static String snapshot(String claim, String statefulSet, String backupId) {
    String prefix =
        statefulSet.length() > ID_PREFIX
            ? statefulSet.substring(0, ID_PREFIX).replaceAll("-+$", "")
            : statefulSet;
    String stamp =
        backupId.startsWith(prefix + "-") ? backupId.substring(prefix.length() + 1) : backupId;
    String name = claim + "-" + stamp;
    return name.length() <= 253 ? name : name.substring(0, 240) + "-" + hash(name, 6);
  }

  /**
   * A hook's Job, e.g. {@code db-quiesce-1a2b3c4d}: at most 63 characters, as a Job's name must be
   * to label its pods.
   */
  public static String job(String statefulSet, String phase, String runId) {
    String prefix =
        statefulSet.length() > ID_PREFIX
            ? statefulSet.substring(0, ID_PREFIX).replaceAll("-+$", "")
            : statefulSet;
    return prefix + "-" + phase + "-" + hash(runId, 8);
  }

  /** The phases a hook runs in, each in a Job of its own. */
  public static final List<String> HOOK_PHASES = List.of("quiesce", "resume");

  /**
   * The names of the hook Jobs a backup may have made, one per phase: deleted by name with the set
   * (a delete by label selector would need the broader deletecollection grant).
   */
  public static List<String> hookJobs(String statefulSet, String backupId) {
    return HOOK_PHASES.stream().map(p -> job(statefulSet, p, backupId + "/" + p)).toList();
  }

  private static String hash(String text, int length) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, length);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
