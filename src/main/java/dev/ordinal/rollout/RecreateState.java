package dev.ordinal.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a recreate of one StatefulSet stands, kept in the cluster so that an Ordinal killed at any
 * point resumes it without repeating a side effect. It outlives the StatefulSet it concerns (the
 * StatefulSet is gone between the orphan delete and the create), so it is kept apart from it: see
 * {@code daemon.RecreateStore}.
 *
 * @param commit the Git commit the recreate applies
 * @param target what the recreate grows, {@code template=size} joined (see {@link
 *     RecreateSpec#target()}): a commit that changes it starts over, one that does not continues
 * @param statefulSetUid the uid of the StatefulSet being replaced; only that one is deleted
 * @param claims each claim to grow and the size it grows to
 * @param backupId the backup taken first; empty when the policy takes none
 * @param carried Ordinal's annotations of the old StatefulSet (its rollout state and the like),
 *     written onto the new one as the rollout side
 * @param partition the old StatefulSet's partition; null when it had none
 * @param message why the recreate failed, for a {@link Stage#FAILED} one
 * @param statefulSet the StatefulSet to create (JSON, as the applier applies it, without the
 *     partition), recorded with the {@link Stage#DELETING} stage: past the orphan delete the
 *     recreate creates this one whatever Git holds by then, so a commit refused or invalid since
 *     cannot leave the pods without a controller; null before that stage
 * @param selector for a recreate that rolls the pods, the labels every pod of the old StatefulSet
 *     gets before the delete (the new selector's); empty otherwise
 * @param restartStamp for a recreate that rolls the pods, the value of {@link
 *     Annotations#RECREATED_AT} written on the new pod template; null otherwise
 * @param restartPartition the partition written with that annotation; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RecreateState(
    String commit,
    String target,
    Stage stage,
    String statefulSetUid,
    Map<String, String> claims,
    String backupId,
    Map<String, String> carried,
    Integer partition,
    Instant startedAt,
    Instant stageSince,
    String message,
    Map<String, String> selector,
    String restartStamp,
    Integer restartPartition,
    String statefulSet) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The steps, in order. Each is entered by a state write before its side effect. */
  public enum Stage {
    /** Taking the backup the policy asks for; nothing changed yet. */
    BACKING_UP,
    /** Patching the claims to their new size and waiting for each to grow. */
    RESIZING,
    /** The pods are rolled after: giving every pod the new selector's labels, before the delete. */
    RELABELLING,
    /** Every claim grew: orphan-deleting the StatefulSet (its pods run on). */
    DELETING,
    /** The old StatefulSet is gone: creating the new one from Git, then carrying state over. */
    CREATING,
    /**
     * The new StatefulSet runs the pods and has the state carried over: once its controller has
     * observed it, stamping its pod template so the rollout engine rolls the pods.
     */
    RESTARTING,
    /** Stopped before the StatefulSet was touched; {@link #message} says why. */
    FAILED;

    /** Whether the old StatefulSet may already be gone: the recreate must be finished. */
    public boolean pastTheDelete() {
      return this == DELETING || this == CREATING;
    }
  }

  public RecreateState {
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(statefulSetUid, "statefulSetUid");
    claims = claims == null ? Map.of() : Map.copyOf(new TreeMap<>(claims));
    backupId = backupId == null ? "" : backupId;
    carried = carried == null ? Map.of() : Map.copyOf(new TreeMap<>(carried));
    selector = selector == null ? Map.of() : Map.copyOf(new TreeMap<>(selector));
  }

  /** Whether the pods are rolled to the new StatefulSet after it is created. */
  public boolean rollsPods() {
    return restartStamp != null;
  }

  /** The same recreate, with the StatefulSet it creates recorded. */
  public RecreateState withStatefulSet(String json) {
    return with(stage, stageSince, message, json);
  }

  /** The same recreate at {@code next}, entered at {@code now}. */
  public RecreateState at(Stage next, Instant now) {
    return with(next, now, message, statefulSet);
  }

  /** Stopped before the StatefulSet was touched, for {@code why}. */
  public RecreateState failed(String why, Instant now) {
    return with(Stage.FAILED, now, why, statefulSet);
  }

  private RecreateState with(Stage next, Instant now, String why, String created) {
    return new RecreateState(
        commit,
        target,
        next,
        statefulSetUid,
        claims,
        backupId,
        carried,
        partition,
        startedAt,
        now,
        why,
        selector,
        restartStamp,
        restartPartition,
        created);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws RolloutStateFormatException when {@code json} is not a recreate state
   */
  public static RecreateState fromJson(String json) {
    try {
      return JSON.readValue(json, RecreateState.class);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new RolloutStateFormatException("unreadable recreate state: " + e.getMessage(), e);
    }
  }
}
