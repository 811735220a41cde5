package dev.ordinal.rollout;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Ordinal remembers about a StatefulSet's rollout between decisions, persisted as JSON in the
 * {@code ordinal.dev/rollout-state} annotation in the same write as the action it belongs to.
 *
 * @param revisions the stable revision, the target, and a counter bumped at every rollout start
 * @param source the app and Git commit the target came from, when Ordinal's applier recorded them
 * @param step the current step (its index, the number of steps, when it began)
 * @param status the phase and why, for machines ({@link PhaseReason}) and people ({@link
 *     #reason()})
 * @param progress when the rollout began and when pods last made progress
 * @param userPaused whether a user's {@code pause} holds the rollout
 * @param memory failed revisions, accepted inconclusive runs and recent verdicts, all bounded
 * @param backup the latest backup of the StatefulSet's volumes and what a restore from it covers;
 *     null when none was taken
 * @param restore the restore in progress; null when none
 */
@JsonPropertyOrder({
  "v",
  "revisions",
  "source",
  "step",
  "status",
  "progress",
  "userPaused",
  "memory",
  "backup",
  "restore"
})
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record RolloutState(
    Revisions revisions,
    RolloutSource source,
    StepPosition step,
    Status status,
    Progress progress,
    boolean userPaused,
    Memory memory,
    Backup backup,
    Restore restore) {

  /** Bounds that keep the annotation a few hundred bytes whatever the history. */
  public static final int MAX_FAILED_REVISIONS = 10;

  public static final int MAX_VERDICTS = 8;
  static final int FORMAT_VERSION = 2;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          // a newer Ordinal may add fields; the format version guards real incompatibilities
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  /**
   * @param stable the revision that ran everywhere before this rollout; rollbacks restore it
   * @param target the update revision this rollout drives towards (or rolled back from)
   * @param rollout bumped at every rollout start, so analysis run ids of a retry never collide with
   *     the verdicts of an earlier attempt
   */
  public record Revisions(String stable, String target, int rollout) {
    public Revisions {
      Objects.requireNonNull(stable, "revisions.stable");
      Objects.requireNonNull(target, "revisions.target");
    }
  }

  /**
   * @param index the current step, 0-based; {@code count} means full promotion
   * @param count how many steps the policy has (0 when not recorded, as in older states)
   * @param startedAt when the current step began (timed pauses count from here)
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record StepPosition(int index, int count, Instant startedAt) {
    public StepPosition {
      Objects.requireNonNull(startedAt, "step.startedAt");
    }
  }

  /**
   * @param detail the human part of the reason that the phase and step do not already say
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record Status(Phase phase, PhaseReason reason, String detail) {
    public Status {
      Objects.requireNonNull(phase, "status.phase");
      reason = reason == null ? PhaseReason.NONE : reason;
      detail = detail == null ? "" : detail;
    }
  }

  /**
   * @param rolloutStartedAt when the rollout to the target began
   * @param at when pods last made progress (the progress deadline counts from here)
   * @param count how many pods were on the target and Ready at {@code at}
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record Progress(Instant rolloutStartedAt, Instant at, int count) {
    public Progress {
      Objects.requireNonNull(rolloutStartedAt, "progress.rolloutStartedAt");
      Objects.requireNonNull(at, "progress.at");
    }
  }

  /**
   * @param failedRevisions revisions that failed and are not retried, oldest first
   * @param acceptedRuns analysis run ids whose Inconclusive verdict a user promoted past
   * @param verdicts recent analysis outcomes, oldest first
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Memory(
      @JsonDeserialize(as = LinkedHashSet.class) Set<String> failedRevisions,
      @JsonDeserialize(as = LinkedHashSet.class) Set<String> acceptedRuns,
      List<VerdictRecord> verdicts) {
    public static final Memory EMPTY = new Memory(Set.of(), Set.of(), List.of());

    public Memory {
      failedRevisions = lastN(failedRevisions, MAX_FAILED_REVISIONS);
      acceptedRuns = lastN(acceptedRuns, MAX_VERDICTS);
      verdicts =
          verdicts == null
              ? List.of()
              : List.copyOf(
                  verdicts.subList(Math.max(0, verdicts.size() - MAX_VERDICTS), verdicts.size()));
    }
  }

  /** Where a backup is. QUIESCE, SNAPSHOT, RESUME and READYING are in flight. */
  public enum BackupStage {
    /** The quiesce hook runs. */
    QUIESCE,
    /** The snapshots are requested and being cut. */
    SNAPSHOT,
    /** The resume hook runs (always, once a quiesce hook ran). */
    RESUME,
    /** Cut; waiting until every snapshot is readyToUse. */
    READYING,
    /** Every snapshot is readyToUse. */
    READY,
    /** A hook or a snapshot failed, or the backup timed out. */
    FAILED;

    public boolean inFlight() {
      return this != READY && this != FAILED;
    }
  }

  /**
   * The latest backup, by id, and how far it got. Recorded in the same write that starts it, before
   * any snapshot exists, so a restarted Ordinal finds the id and never takes a second set.
   *
   * @param startedAt when it began; its timeout counts from here
   * @param manual taken at a user's request, outside a rollout
   * @param failure why it failed (or will, once the resume hook has run); empty otherwise
   * @param ranTarget ordinals whose pods ran the rollout's target revision on their volumes since
   *     the backup, in order: what a restore covers
   * @param restored the id of the last restore started for this rollout; empty when none
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record Backup(
      String id,
      BackupStage stage,
      Instant startedAt,
      boolean manual,
      String failure,
      List<Integer> ranTarget,
      String restored) {
    public Backup {
      Objects.requireNonNull(id, "backup.id");
      Objects.requireNonNull(stage, "backup.stage");
      Objects.requireNonNull(startedAt, "backup.startedAt");
      failure = failure == null ? "" : failure;
      ranTarget = ranTarget == null ? List.of() : List.copyOf(new TreeSet<>(ranTarget));
      restored = restored == null ? "" : restored;
    }

    /** A backup that starts now, at {@code stage}. */
    public static Backup starting(String id, BackupStage stage, Instant now, boolean manual) {
      return new Backup(id, stage, now, manual, "", List.of(), "");
    }

    public Backup at(BackupStage next) {
      return new Backup(id, next, startedAt, manual, failure, ranTarget, restored);
    }

    public Backup failing(String why) {
      return new Backup(id, stage, startedAt, manual, why, ranTarget, restored);
    }

    public Backup withRanTarget(Collection<Integer> ordinals) {
      return new Backup(id, stage, startedAt, manual, failure, List.copyOf(ordinals), restored);
    }

    public Backup withRestored(String restoreId) {
      return new Backup(id, stage, startedAt, manual, failure, ranTarget, restoreId);
    }
  }

  /** The steps of a restore, in order. */
  public enum RestoreStage {
    /** Replicas lowered below the restored ordinals; waiting for their pods to be gone. */
    SCALE_DOWN,
    /** Deleting each claim (snapshot checked), then creating it from its snapshot. */
    REPLACE,
    /** Replicas back; waiting for the pods to be Ready on their restored claims. */
    SCALE_UP
  }

  /**
   * A restore in progress; each of its steps is written with the StatefulSet change it goes with.
   *
   * @param id unique per restore; marks the claims it creates ({@code ordinal.dev/restore-id})
   * @param backupId the set it restores from
   * @param ordinals the pods whose claims it replaces, in order
   * @param replicas the replica count to return to
   * @param stageAt when the current stage began
   * @param auto started by a rollback ({@code restoreOnRollback: auto}) rather than a user
   */
  @JsonInclude(JsonInclude.Include.NON_DEFAULT)
  public record Restore(
      String id,
      String backupId,
      List<Integer> ordinals,
      int replicas,
      RestoreStage stage,
      Instant startedAt,
      Instant stageAt,
      boolean auto) {
    public Restore {
      Objects.requireNonNull(id, "restore.id");
      Objects.requireNonNull(backupId, "restore.backupId");
      ordinals = ordinals == null ? List.of() : List.copyOf(new TreeSet<>(ordinals));
      Objects.requireNonNull(stage, "restore.stage");
      Objects.requireNonNull(startedAt, "restore.startedAt");
      stageAt = stageAt == null ? startedAt : stageAt;
    }

    public Restore at(RestoreStage next, Instant now) {
      return new Restore(id, backupId, ordinals, replicas, next, startedAt, now, auto);
    }

    /** The lowest ordinal restored: the replica count while the claims are replaced. */
    public int lowest() {
      return ordinals.isEmpty() ? replicas : Math.min(ordinals.get(0), replicas);
    }
  }

  public RolloutState {
    Objects.requireNonNull(revisions, "revisions");
    source = source == null ? RolloutSource.UNKNOWN : source;
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(progress, "progress");
    memory = memory == null ? Memory.EMPTY : memory;
  }

  /** A state with no backup and no restore. */
  public RolloutState(
      Revisions revisions,
      RolloutSource source,
      StepPosition step,
      Status status,
      Progress progress,
      boolean userPaused,
      Memory memory) {
    this(revisions, source, step, status, progress, userPaused, memory, null, null);
  }

  // Insertion-ordered so that "drop the oldest" is well defined and JSON output is stable.
  private static Set<String> lastN(Collection<String> values, int max) {
    if (values == null || values.isEmpty()) {
      return Set.of();
    }
    List<String> list = new ArrayList<>(new LinkedHashSet<>(values));
    return Collections.unmodifiableSet(
        new LinkedHashSet<>(list.subList(Math.max(0, list.size() - max), list.size())));
  }

  /** A state for a StatefulSet whose pods all run {@code revision}. */
  public static RolloutState healthy(String revision, Instant now) {
    return new RolloutState(
        new Revisions(revision, revision, 0),
        RolloutSource.UNKNOWN,
        new StepPosition(0, 0, now),
        new Status(Phase.HEALTHY, PhaseReason.NONE, ""),
        new Progress(now, now, 0),
        false,
        Memory.EMPTY,
        null,
        null);
  }

  // ---- what readers ask most ----

  @JsonIgnore
  public String stableRevision() {
    return revisions.stable();
  }

  @JsonIgnore
  public String targetRevision() {
    return revisions.target();
  }

  @JsonIgnore
  public int rollout() {
    return revisions.rollout();
  }

  @JsonIgnore
  public int stepIndex() {
    return step.index();
  }

  @JsonIgnore
  public int stepCount() {
    return step.count();
  }

  @JsonIgnore
  public Instant stepStartedAt() {
    return step.startedAt();
  }

  @JsonIgnore
  public Phase phase() {
    return status.phase();
  }

  @JsonIgnore
  public PhaseReason reasonCode() {
    return status.reason();
  }

  @JsonIgnore
  public Instant rolloutStartedAt() {
    return progress.rolloutStartedAt();
  }

  @JsonIgnore
  public Instant progressAt() {
    return progress.at();
  }

  @JsonIgnore
  public int progressCount() {
    return progress.count();
  }

  @JsonIgnore
  public Set<String> failedRevisions() {
    return memory.failedRevisions();
  }

  @JsonIgnore
  public Set<String> acceptedRuns() {
    return memory.acceptedRuns();
  }

  @JsonIgnore
  public List<VerdictRecord> verdicts() {
    return memory.verdicts();
  }

  /** The latest backup, if any. */
  @JsonIgnore
  public Optional<Backup> lastBackup() {
    return Optional.ofNullable(backup);
  }

  /** The restore in progress, if any. */
  @JsonIgnore
  public Optional<Restore> restoring() {
    return Optional.ofNullable(restore);
  }

  /** Whether all steps are done and every pod moves to the target. */
  @JsonIgnore
  public boolean fullPromotion() {
    return status.reason() == PhaseReason.FULL_PROMOTION;
  }

  /** Why the phase is what it is, for people; empty when Healthy. Rendered, never parsed. */
  @JsonIgnore
  public String reason() {
    String detail = status.detail();
    return switch (status.reason()) {
      case NONE -> detail;
      case CANARY_STEP, TIMED_PAUSE, MANUAL_GATE, ANALYSIS_RUNNING ->
          "step " + (step.index() + 1) + "/" + step.count() + ": " + detail;
      case FULL_PROMOTION -> "full promotion of " + revisions.target();
      case USER_PAUSED -> "paused by user";
      case BACKING_UP -> "backup before the rollout: " + detail;
      case ANALYSIS_FAILED,
          PROGRESS_DEADLINE_EXCEEDED,
          CRASH_LOOP,
          ABORTED,
          REVISION_FAILED_BEFORE ->
          switch (status.phase()) {
            case DEGRADED -> detail + "; rolling back to " + revisions.stable();
            case ROLLED_BACK ->
                status.reason() == PhaseReason.REVISION_FAILED_BEFORE
                        || status.reason() == PhaseReason.BACKUP_FAILED
                    ? detail
                    : detail + "; rolled back to " + revisions.stable();
            default -> detail;
          };
      default -> detail;
    };
  }

  // ---- changes used by the engine; each returns a new value ----

  RolloutState with(Status newStatus) {
    return new RolloutState(
        revisions, source, step, newStatus, progress, userPaused, memory, backup, restore);
  }

  RolloutState withPhase(Phase phase, PhaseReason reason, String detail) {
    return with(new Status(phase, reason, detail));
  }

  RolloutState atStep(int index, int count, Instant now) {
    return new RolloutState(
        revisions,
        source,
        new StepPosition(index, count, now),
        status,
        new Progress(progress.rolloutStartedAt(), now, progress.count()),
        userPaused,
        memory,
        backup,
        restore);
  }

  RolloutState withStepCount(int count) {
    return new RolloutState(
        revisions,
        source,
        new StepPosition(step.index(), count, step.startedAt()),
        status,
        progress,
        userPaused,
        memory,
        backup,
        restore);
  }

  RolloutState withProgress(Instant at, int count) {
    return new RolloutState(
        revisions,
        source,
        step,
        status,
        new Progress(progress.rolloutStartedAt(), at, count),
        userPaused,
        memory,
        backup,
        restore);
  }

  RolloutState withUserPaused(boolean paused, Instant progressFrom) {
    return new RolloutState(
        revisions,
        source,
        step,
        status,
        new Progress(progress.rolloutStartedAt(), progressFrom, progress.count()),
        paused,
        memory,
        backup,
        restore);
  }

  RolloutState withBackup(Backup newBackup) {
    return new RolloutState(
        revisions, source, step, status, progress, userPaused, memory, newBackup, restore);
  }

  RolloutState withRestore(Restore newRestore) {
    return new RolloutState(
        revisions, source, step, status, progress, userPaused, memory, backup, newRestore);
  }

  RolloutState with(Memory newMemory) {
    return new RolloutState(
        revisions, source, step, status, progress, userPaused, newMemory, backup, restore);
  }

  RolloutState withFailedRevisions(Set<String> failed) {
    return with(new Memory(failed, memory.acceptedRuns(), memory.verdicts()));
  }

  RolloutState withAcceptedRun(String runId) {
    Set<String> accepted = new LinkedHashSet<>(memory.acceptedRuns());
    accepted.add(runId);
    return with(new Memory(memory.failedRevisions(), accepted, memory.verdicts()));
  }

  RolloutState withVerdict(VerdictRecord verdict) {
    List<VerdictRecord> all = new ArrayList<>(memory.verdicts());
    all.add(verdict);
    return with(new Memory(memory.failedRevisions(), memory.acceptedRuns(), all));
  }

  /**
   * A new rollout from {@code stable} to {@code target} at step {@code index} of {@code count} (0,
   * or full promotion for a revert), keeping the failure memory; the counter moves on so run ids
   * are fresh.
   */
  RolloutState startRollout(
      String stable,
      String target,
      RolloutSource from,
      int index,
      int count,
      Status first,
      Instant now) {
    Set<String> failed = new LinkedHashSet<>(memory.failedRevisions());
    failed.remove(stable); // whatever the pods return to cannot also be the one not to retry
    return new RolloutState(
        new Revisions(stable, target, revisions.rollout() + 1),
        from,
        new StepPosition(index, count, now),
        first,
        new Progress(now, now, 0),
        false,
        new Memory(failed, Set.of(), List.of()),
        null,
        null);
  }

  /** The controller moved on to {@code revision} by itself: it is what pods now return to. */
  RolloutState adopted(String revision, Status newStatus) {
    Set<String> failed = new LinkedHashSet<>(memory.failedRevisions());
    failed.remove(revision);
    return new RolloutState(
        new Revisions(revision, revisions.target(), revisions.rollout()),
        source,
        step,
        newStatus,
        progress,
        userPaused,
        new Memory(failed, memory.acceptedRuns(), memory.verdicts()),
        backup,
        restore);
  }

  /** Rollout finished: the target is the new stable revision. */
  RolloutState completed(Instant now) {
    return new RolloutState(
        new Revisions(revisions.target(), revisions.target(), revisions.rollout()),
        source,
        step,
        new Status(Phase.HEALTHY, PhaseReason.NONE, ""),
        new Progress(progress.rolloutStartedAt(), now, progress.count()),
        false,
        memory,
        backup,
        restore);
  }

  RolloutState rollingBack(PhaseReason reason, String detail) {
    Set<String> failed = new LinkedHashSet<>(memory.failedRevisions());
    if (!revisions.target().equals(revisions.stable())) {
      // aborting a revert must not blacklist what runs; re-adding moves it to the newest end
      failed.remove(revisions.target());
      failed.add(revisions.target());
    }
    return new RolloutState(
        revisions,
        source,
        step,
        new Status(Phase.DEGRADED, reason, detail),
        progress,
        false,
        new Memory(failed, memory.acceptedRuns(), memory.verdicts()),
        backup,
        restore);
  }

  // ---- JSON form ----

  @JsonProperty("v")
  int formatVersion() {
    return FORMAT_VERSION;
  }

  /** The annotation value: compact JSON with a format version. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize rollout state", e);
    }
  }

  /**
   * Reads the annotation value, of this format or the first one (v1, flat).
   *
   * @throws RolloutStateFormatException when the text is not JSON, has an unknown format version,
   *     or lacks a required field; the message says which
   */
  public static RolloutState fromJson(String json) {
    if (json == null || json.isBlank()) {
      throw new RolloutStateFormatException("rollout state annotation is empty");
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new RolloutStateFormatException(
          "rollout state annotation is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new RolloutStateFormatException("rollout state annotation is not a JSON object");
    }
    JsonNode v = root.get("v");
    if (v != null && v.isInt() && v.asInt() == 1) {
      return LegacyStateV1.read(root);
    }
    if (v == null || !v.isInt() || v.asInt() != FORMAT_VERSION) {
      throw new RolloutStateFormatException(
          "rollout state has unknown format version "
              + v
              + " (this Ordinal reads 1 and "
              + FORMAT_VERSION
              + ")");
    }
    try {
      return JSON.treeToValue(((ObjectNode) root).without("v"), RolloutState.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String message =
          e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
      throw new RolloutStateFormatException("rollout state is invalid: " + message, e);
    }
  }
}
