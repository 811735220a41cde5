package dev.ordinal.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Reads the first format of the rollout state (v1: flat fields, the reason as one sentence), so a
 * StatefulSet an older Ordinal left mid-rollout carries on. The sentence is kept as the detail
 * under {@link PhaseReason#NONE} and never parsed; the step count is unknown (0) until the engine's
 * next decision records both afresh.
 */
final class LegacyStateV1 {
  private LegacyStateV1() {}

  static RolloutState read(JsonNode root) {
    String phaseName = text(root, "phase", true);
    Phase phase =
        Phase.fromDisplayName(phaseName)
            .orElseThrow(
                () ->
                    new RolloutStateFormatException(
                        "rollout state has unknown phase '" + phaseName + "'"));
    List<VerdictRecord> verdicts = new ArrayList<>();
    for (String v : strings(root, "verdicts")) {
      verdicts.add(legacyVerdict(v));
    }
    try {
      return new RolloutState(
          new RolloutState.Revisions(
              text(root, "stable", true), text(root, "target", true), integer(root, "rollout")),
          RolloutSource.UNKNOWN,
          new RolloutState.StepPosition(integer(root, "step"), 0, instant(root, "stepStartedAt")),
          new RolloutState.Status(phase, PhaseReason.NONE, text(root, "reason", false)),
          new RolloutState.Progress(
              instant(root, "rolloutStartedAt"),
              instant(root, "progressAt"),
              integer(root, "progressCount")),
          root.path("userPaused").asBoolean(false),
          new RolloutState.Memory(
              new LinkedHashSet<>(strings(root, "failed")),
              new LinkedHashSet<>(strings(root, "acceptedRuns")),
              verdicts),
          null,
          null);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new RolloutStateFormatException("rollout state is invalid: " + e.getMessage(), e);
    }
  }

  /** A v1 verdict was a sentence; it is only ever shown again, so it is kept as it was. */
  private static VerdictRecord legacyVerdict(String sentence) {
    return new VerdictRecord(VerdictRecord.LEGACY, sentence, AnalysisVerdict.RUNNING, false);
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
