package dev.ordinal.promotion;

import dev.ordinal.manifest.Schedules;
import dev.ordinal.rollout.AnalysisVerdict;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.VerdictRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a source rollout may be promoted now. Pure: the rollout state, the clock reading, the
 * settings and the approval annotation in, a {@link Gate} out.
 *
 * <p>Order: a rollout that is not Healthy, or whose analyses did not all pass, is never promoted,
 * not even with {@code force}: a failed or unmeasured revision must not reach the next environment.
 * Then the freeze window, then the soak time, for which an approval of this very commit stands in.
 * {@code force} skips the freeze, the soak and an inconclusive analysis that a user promoted past.
 */
public final class Gates {
  private Gates() {}

  /** The outcome. */
  public sealed interface Gate {
    /** May be promoted; {@code why} names what let it through. */
    record Open(String why) implements Gate {}

    /** Not yet: look again at {@code until}. */
    record Wait(Instant until, String why) implements Gate {}

    /** Not this revision (or not until a person acts); {@code why} says what to do. */
    record Closed(String why) implements Gate {}
  }

  /** Time in which nothing is promoted: once, or again and again by a schedule. */
  public sealed interface FreezeWindow {
    /** If the window is active at {@code t}: when that stretch of it ends, and its description. */
    Optional<Active> activeAt(Instant t);

    /** One stretch of a window that covers the instant asked about. */
    record Active(Instant until, String why) {}

    /** From {@code from} inclusive to {@code until} exclusive. */
    record Fixed(Instant from, Instant until) implements FreezeWindow {
      @Override
      public Optional<Active> activeAt(Instant t) {
        return !t.isBefore(from) && t.isBefore(until)
            ? Optional.of(new Active(until, "freeze window " + from + " to " + until))
            : Optional.empty();
      }
    }

    /**
     * Starts whenever {@code schedule} fires on the wall clock of {@code zone} and lasts {@code
     * duration} of elapsed time, as an Argo CD sync window does; so a window that opened before the
     * instant asked about (yesterday 18:00, for 62h) still covers it.
     */
    record Recurring(Schedules.Cron schedule, Duration duration, ZoneId zone)
        implements FreezeWindow {
      @Override
      public Optional<Active> activeAt(Instant t) {
        return schedule
            .lastFiring(t, duration, zone)
            .map(
                start -> {
                  Instant end = start.plus(duration);
                  return new Active(
                      end,
                      "freeze window \""
                          + schedule.text()
                          + "\" for "
                          + duration.toString().substring(2).toLowerCase(Locale.ROOT)
                          + " ("
                          + zone.getId()
                          + "), from "
                          + start.atZone(zone).toOffsetDateTime()
                          + " until "
                          + end.atZone(zone).toOffsetDateTime());
                });
      }
    }
  }

  /**
   * @param approvedCommit the value of {@link #APPROVAL_ANNOTATION} on the source StatefulSet, if
   *     any: a commit id (in full or at least 7 digits) that may skip the soak
   */
  public static Gate evaluate(
      RolloutState state,
      Instant now,
      Duration requiredSoak,
      List<FreezeWindow> freeze,
      Optional<String> approvedCommit,
      boolean force) {
    if (state.phase() != Phase.HEALTHY || !state.stableRevision().equals(state.targetRevision())) {
      return new Gate.Closed(
          "the rollout is " + state.phase().displayName() + ", not Healthy: " + state.reason());
    }
    if (state.rollout() == 0) {
      return new Gate.Closed(
          "no rollout has verified a revision yet (the first one is deployed as is)");
    }
    String commit = state.source().commit();
    if (commit.isEmpty()) {
      return new Gate.Closed(
          "the rollout's Git commit is unknown (another tool applied the template); only"
              + " revisions Ordinal applied can be promoted");
    }
    List<VerdictRecord> verdicts = state.verdicts();
    for (VerdictRecord v : verdicts) {
      if (v.verdict().failed() || v.verdict() == AnalysisVerdict.RUNNING) {
        return new Gate.Closed("analysis " + v + " did not pass");
      }
      if (v.verdict() == AnalysisVerdict.INCONCLUSIVE && !force) {
        return new Gate.Closed(
            "analysis "
                + v
                + " was inconclusive; promote with --force if a person has judged it good");
      }
    }
    if (force) {
      return new Gate.Open("forced");
    }
    // Of the windows active now, the one that ends last says how long to wait.
    Optional<FreezeWindow.Active> frozen =
        freeze.stream()
            .flatMap(w -> w.activeAt(now).stream())
            .max(Comparator.comparing(FreezeWindow.Active::until));
    if (frozen.isPresent()) {
      return new Gate.Wait(frozen.get().until(), frozen.get().why());
    }
    boolean approved =
        approvedCommit
            .map(String::strip)
            .filter(a -> a.length() >= 7 && commit.startsWith(a))
            .isPresent();
    if (approved) {
      return new Gate.Open("approved by " + APPROVAL_ANNOTATION);
    }
    Instant healthySince = state.progressAt();
    Instant soaked = healthySince.plus(requiredSoak);
    if (now.isBefore(soaked)) {
      return new Gate.Wait(
          soaked,
          "soaking: Healthy since "
              + healthySince
              + ", required "
              + requiredSoak
              + " (or annotate the StatefulSet "
              + APPROVAL_ANNOTATION
              + "="
              + commit
              + ")");
    }
    return new Gate.Open("Healthy for " + Duration.between(healthySince, now).toSeconds() + "s");
  }

  /**
   * Set on a source StatefulSet to a commit id, it approves that commit's promotion without the
   * soak: {@code kubectl annotate sts db ordinal.dev/approve-promotion=<commit>}.
   */
  public static final String APPROVAL_ANNOTATION = "ordinal.dev/approve-promotion";

  /** The verdicts as the commit message and PR body print them. */
  public static String verdicts(RolloutState state) {
    return state.verdicts().isEmpty()
        ? "no analysis in the policy"
        : String.join("; ", state.verdicts().stream().map(VerdictRecord::toString).toList());
  }
}
