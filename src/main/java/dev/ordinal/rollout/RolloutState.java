package dev.ordinal.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What Ordinal remembers about a StatefulSet's rollout between decisions, persisted as JSON in the
 * {@code ordinal.dev/rollout-state} annotation in the same write as the action it belongs to.
 *
 * @param stableRevision the revision that ran everywhere before this rollout; rollbacks restore it
 * @param targetRevision the update revision this rollout drives towards (or rolled back from)
 * @param rollout a counter bumped at every rollout start, so analysis run ids of a retry never
 *     collide with the verdicts of an earlier attempt
 * @param stepIndex the current step; {@code steps.size()} means full promotion
 * @param reason why the phase is what it is; empty when Healthy
 * @param stepStartedAt when the current step began (timed pauses count from here)
 * @param rolloutStartedAt when the rollout to the target began
 * @param progressAt when pods last made progress (the progress deadline counts from here)
 * @param progressCount how many pods were on the target and Ready at {@code progressAt}
 * @param userPaused whether a user's {@code pause} holds the rollout
 * @param failedRevisions revisions that failed and are not retried, oldest first, at most {@value
 *     #MAX_FAILED_REVISIONS}
 * @param acceptedRuns analysis run ids whose Inconclusive verdict a user promoted past
 * @param verdicts recent analysis outcomes, oldest first, at most {@value #MAX_VERDICTS}
 */
public record RolloutState(
    String stableRevision,
    String targetRevision,
    int rollout,
    int stepIndex,
    Phase phase,
    String reason,
    Instant stepStartedAt,
    Instant rolloutStartedAt,
    Instant progressAt,
    int progressCount,
    boolean userPaused,
    Set<String> failedRevisions,
    Set<String> acceptedRuns,
    List<String> verdicts) {

  /** Bounds that keep the annotation a few hundred bytes whatever the history. */
  public static final int MAX_FAILED_REVISIONS = 10;

  public static final int MAX_VERDICTS = 8;
  static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  public RolloutState {
    Objects.requireNonNull(stableRevision, "stableRevision");
    Objects.requireNonNull(targetRevision, "targetRevision");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(stepStartedAt, "stepStartedAt");
    Objects.requireNonNull(rolloutStartedAt, "rolloutStartedAt");
    Objects.requireNonNull(progressAt, "progressAt");
    reason = reason == null ? "" : reason;
    failedRevisions = lastN(failedRevisions, MAX_FAILED_REVISIONS);
    acceptedRuns = lastN(acceptedRuns, MAX_VERDICTS);
    verdicts =
        verdicts == null
            ? List.of()
            : List.copyOf(
                verdicts.subList(Math.max(0, verdicts.size() - MAX_VERDICTS), verdicts.size()));
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
        revision,
        revision,
        0,
        0,
        Phase.HEALTHY,
        "",
        now,
        now,
        now,
        0,
        false,
        Set.of(),
        Set.of(),
        List.of());
  }

  // ---- withers used by the engine; each returns a new value ----

  RolloutState withPhase(Phase newPhase, String newReason) {
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        stepIndex,
        newPhase,
        newReason,
        stepStartedAt,
        rolloutStartedAt,
        progressAt,
        progressCount,
        userPaused,
        failedRevisions,
        acceptedRuns,
        verdicts);
  }

  RolloutState atStep(int index, Phase newPhase, String newReason, Instant now) {
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        index,
        newPhase,
        newReason,
        now,
        rolloutStartedAt,
        now,
        progressCount,
        userPaused,
        failedRevisions,
        acceptedRuns,
        verdicts);
  }

  RolloutState withProgress(Instant at, int count) {
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        stepIndex,
        phase,
        reason,
        stepStartedAt,
        rolloutStartedAt,
        at,
        count,
        userPaused,
        failedRevisions,
        acceptedRuns,
        verdicts);
  }

  RolloutState withUserPaused(
      boolean paused, Phase newPhase, String newReason, Instant progressFrom) {
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        stepIndex,
        newPhase,
        newReason,
        stepStartedAt,
        rolloutStartedAt,
        progressFrom,
        progressCount,
        paused,
        failedRevisions,
        acceptedRuns,
        verdicts);
  }

  RolloutState withFailedRevisions(Set<String> failed) {
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        stepIndex,
        phase,
        reason,
        stepStartedAt,
        rolloutStartedAt,
        progressAt,
        progressCount,
        userPaused,
        failed,
        acceptedRuns,
        verdicts);
  }

  RolloutState withAcceptedRun(String runId) {
    Set<String> accepted = new LinkedHashSet<>(acceptedRuns);
    accepted.add(runId);
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        stepIndex,
        phase,
        reason,
        stepStartedAt,
        rolloutStartedAt,
        progressAt,
        progressCount,
        userPaused,
        failedRevisions,
        accepted,
        verdicts);
  }

  RolloutState withVerdict(String summary) {
    List<String> all = new ArrayList<>(verdicts);
    all.add(summary);
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        stepIndex,
        phase,
        reason,
        stepStartedAt,
        rolloutStartedAt,
        progressAt,
        progressCount,
        userPaused,
        failedRevisions,
        acceptedRuns,
        all);
  }

  /**
   * A new rollout from {@code stable} to {@code target} at step {@code index} (0, or full promotion
   * for a revert), keeping the failure memory; the counter moves on so run ids are fresh.
   */
  RolloutState startRollout(
      String stable, String target, int index, Phase firstPhase, String firstReason, Instant now) {
    Set<String> failed = new LinkedHashSet<>(failedRevisions);
    failed.remove(stable); // whatever the pods return to cannot also be the one not to retry
    return new RolloutState(
        stable,
        target,
        rollout + 1,
        index,
        firstPhase,
        firstReason,
        now,
        now,
        now,
        0,
        false,
        failed,
        Set.of(),
        List.of());
  }

  /** The controller moved on to {@code revision} by itself: it is what pods now return to. */
  RolloutState adopted(String revision, Phase newPhase, String newReason) {
    Set<String> failed = new LinkedHashSet<>(failedRevisions);
    failed.remove(revision);
    return new RolloutState(
        revision,
        targetRevision,
        rollout,
        stepIndex,
        newPhase,
        newReason,
        stepStartedAt,
        rolloutStartedAt,
        progressAt,
        progressCount,
        userPaused,
        failed,
        acceptedRuns,
        verdicts);
  }

  /** Rollout finished: the target is the new stable revision. */
  RolloutState completed(Instant now) {
    return new RolloutState(
        targetRevision,
        targetRevision,
        rollout,
        stepIndex,
        Phase.HEALTHY,
        "",
        stepStartedAt,
        rolloutStartedAt,
        now,
        progressCount,
        false,
        failedRevisions,
        acceptedRuns,
        verdicts);
  }

  RolloutState rollingBack(String why) {
    Set<String> failed = new LinkedHashSet<>(failedRevisions);
    if (!targetRevision.equals(stableRevision)) { // aborting a revert must not blacklist what runs
      failed.remove(targetRevision); // re-adding moves it to the newest end of the bounded memory
      failed.add(targetRevision);
    }
    return new RolloutState(
        stableRevision,
        targetRevision,
        rollout,
        stepIndex,
        Phase.DEGRADED,
        why,
        stepStartedAt,
        rolloutStartedAt,
        progressAt,
        progressCount,
        false,
        failed,
        acceptedRuns,
        verdicts);
  }

  // ---- JSON form ----

  /** The annotation value: compact JSON with a format version. */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", FORMAT_VERSION);
    o.put("stable", stableRevision);
    o.put("target", targetRevision);
    o.put("rollout", rollout);
    o.put("step", stepIndex);
    o.put("phase", phase.displayName());
    if (!reason.isEmpty()) {
      o.put("reason", reason);
    }
    putInstant(o, "stepStartedAt", stepStartedAt);
    putInstant(o, "rolloutStartedAt", rolloutStartedAt);
    putInstant(o, "progressAt", progressAt);
    o.put("progressCount", progressCount);
    if (userPaused) {
      o.put("userPaused", true);
    }
    putArray(o, "failed", failedRevisions);
    putArray(o, "acceptedRuns", acceptedRuns);
    putArray(o, "verdicts", verdicts);
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot serialize rollout state", e); // a tree of strings always serializes
    }
  }

  /**
   * Reads the annotation value.
   *
   * @throws RolloutStateFormatException when the text is not JSON, has another format version, or
   *     lacks a required field; the message says which
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
    if (v == null || !v.isInt() || v.asInt() != FORMAT_VERSION) {
      throw new RolloutStateFormatException(
          "rollout state has unknown format version "
              + v
              + " (this Ordinal reads "
              + FORMAT_VERSION
              + ")");
    }
    String phaseName = text(root, "phase", true);
    Phase phase =
        Phase.fromDisplayName(phaseName)
            .orElseThrow(
                () ->
                    new RolloutStateFormatException(
                        "rollout state has unknown phase '" + phaseName + "'"));
    try {
      return new RolloutState(
          text(root, "stable", true),
          text(root, "target", true),
          integer(root, "rollout"),
          integer(root, "step"),
          phase,
          text(root, "reason", false),
          instant(root, "stepStartedAt"),
          instant(root, "rolloutStartedAt"),
          instant(root, "progressAt"),
          integer(root, "progressCount"),
          root.path("userPaused").asBoolean(false),
          new LinkedHashSet<>(strings(root, "failed")),
          new LinkedHashSet<>(strings(root, "acceptedRuns")),
          strings(root, "verdicts"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new RolloutStateFormatException("rollout state is invalid: " + e.getMessage(), e);
    }
  }

  private static void putInstant(ObjectNode o, String field, Instant value) {
    if (value != null) {
      o.put(field, value.toString());
    }
  }

  private static void putArray(ObjectNode o, String field, Collection<String> values) {
    if (!values.isEmpty()) {
      ArrayNode a = o.putArray(field);
      values.forEach(a::add);
    }
  }

  private static String text(JsonNode root, String field, boolean required) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new RolloutStateFormatException("rollout state lacks '" + field + "'");
      }
      return "";
    }
    if (!n.isTextual()) {
      throw new RolloutStateFormatException("rollout state field '" + field + "' is not a string");
    }
    return n.asText();
  }

  private static int integer(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null) {
      return 0;
    }
    if (!n.isInt()) {
      throw new RolloutStateFormatException(
          "rollout state field '" + field + "' is not an integer");
    }
    return n.asInt();
  }

  // Required: timed pauses and the progress deadline count from these.
  private static Instant instant(JsonNode root, String field) {
    String s = text(root, field, true);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new RolloutStateFormatException(
          "rollout state field '" + field + "' is not an instant: " + s, e);
    }
  }

  private static List<String> strings(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new RolloutStateFormatException("rollout state field '" + field + "' is not an array");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new RolloutStateFormatException(
            "rollout state field '" + field + "' holds a non-string");
      }
      out.add(e.asText());
    }
    return out;
  }
}
