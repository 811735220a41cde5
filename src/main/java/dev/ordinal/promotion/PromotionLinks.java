package dev.ordinal.promotion;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.rollout.RolloutState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a target StatefulSet records about the promotion pull request that changes it, so that its
 * rollout can be traced back to the source's. Two annotations on the target, each JSON: {@link
 * #PENDING} while the pull request is open (the list of pull requests to watch, which survives a
 * restart; one per promotion, as several rules may promote into one StatefulSet), and {@link
 * #PROMOTED_FROM} once it is merged, with the merge commit and, when seen, the target's rollout of
 * a commit that contains it. Each step is one write that sets the next annotation and removes the
 * last, so a restart in between repeats a step and never doubles it. The decisions here are pure;
 * {@code daemon.Promotions} reads and writes.
 */
public final class PromotionLinks {
  /** The open promotion pull requests into this StatefulSet, a list of {@link Pending}. */
  public static final String PENDING = "ordinal.dev/promotion-pending";

  /** The last merged promotion into this StatefulSet, a {@link Merged}. */
  public static final String PROMOTED_FROM = "ordinal.dev/promoted-from";

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private PromotionLinks() {}

  /** Where a promotion came from: the rule, and the source app's StatefulSet at a commit. */
  public record Source(String promotion, String app, String statefulSet, String commit) {
    /** Whether every field is there: an annotation edited by hand may lack some. */
    boolean complete() {
      return promotion != null && app != null && statefulSet != null && commit != null;
    }
  }

  /** A promotion pull request Ordinal opened, watched until it is merged or closed. */
  public record Pending(Source source, int pullRequest, String url, String head) {}

  /**
   * A merged promotion.
   *
   * @param rollout the target's rollout that ran {@code mergeCommit} or a commit after it; null
   *     until Ordinal has seen one
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Merged(
      Source source, int pullRequest, String url, String mergeCommit, TargetRollout rollout) {
    Merged withRollout(TargetRollout rollout) {
      return new Merged(source, pullRequest, url, mergeCommit, rollout);
    }
  }

  /** The target's rollout (its number in the rollout state) of {@code commit}. */
  public record TargetRollout(String commit, int rollout) {}

  /** Why a write is due, for the log line that reports it. */
  public enum Decision {
    WATCHING,
    MERGED,
    CLOSED_UNMERGED,
    LINKED
  }

  /** Annotations to set and remove on the target StatefulSet, together, and why. */
  public record Write(Map<String, String> set, Set<String> remove, Decision decision) {}

  /**
   * The pending pull requests recorded on a StatefulSet, one per promotion (several rules may
   * promote into one StatefulSet), the readable ones; a record of one, as written before, reads as
   * a list of one.
   */
  public static List<Pending> pendings(Map<String, String> annotations) {
    String raw = annotations == null ? null : annotations.get(PENDING);
    if (raw == null || raw.isBlank()) {
      return List.of();
    }
    List<Pending> found = new ArrayList<>();
    try {
      JsonNode tree = JSON.readTree(raw);
      for (JsonNode item : tree.isArray() ? tree : List.of(tree)) {
        Pending pending = JSON.treeToValue(item, Pending.class);
        if (complete(pending)) {
          found.removeIf(p -> p.source().promotion().equals(pending.source().promotion()));
          found.add(pending);
        }
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return List.of(); // written by hand and broken: treated as absent, then overwritten
    }
    return List.copyOf(found);
  }

  /** The pending pull request of promotion {@code promotion} recorded on a StatefulSet, if any. */
  public static Optional<Pending> pending(Map<String, String> annotations, String promotion) {
    return pendings(annotations).stream()
        .filter(p -> p.source().promotion().equals(promotion))
        .findFirst();
  }

  /** The merged promotion recorded on a StatefulSet, if any and readable. */
  public static Optional<Merged> merged(Map<String, String> annotations) {
    return read(annotations, PROMOTED_FROM, Merged.class);
  }

  /**
   * A promotion pull request exists (just opened, or found after a restart): watch it, unless the
   * target already records it, pending or merged.
   */
  public static Optional<Write> watch(
      Map<String, String> annotations, Source source, Forge.PullRequest pr) {
    if (pr.merged()) {
      return observe(annotations, new Pending(source, pr.number(), pr.url(), pr.head()), pr);
    }
    if (!pr.open()
        || merged(annotations).filter(m -> m.pullRequest() == pr.number()).isPresent()
        || pending(annotations, source.promotion())
            .filter(p -> p.pullRequest() == pr.number())
            .isPresent()) {
      return Optional.empty();
    }
    // This promotion's newer pull request replaces its older one; other promotions' stay.
    List<Pending> watched = new ArrayList<>(pendings(annotations));
    watched.removeIf(p -> p.source().promotion().equals(source.promotion()));
    watched.add(new Pending(source, pr.number(), pr.url(), pr.head()));
    return Optional.of(new Write(Map.of(PENDING, json(watched)), Set.of(), Decision.WATCHING));
  }

  /**
   * What the forge says now about the pending pull request: merged records the merge commit and
   * ends the watch; closed without a merge ends the watch; open changes nothing.
   */
  public static Optional<Write> observe(
      Map<String, String> annotations, Pending pending, Forge.PullRequest pr) {
    List<Pending> all = pendings(annotations);
    boolean watched = all.contains(pending);
    // Ending the watch removes this pull request's record and keeps the other promotions'.
    List<Pending> rest = all.stream().filter(p -> !p.equals(pending)).toList();
    Map<String, String> keep = rest.isEmpty() ? Map.of() : Map.of(PENDING, json(rest));
    Set<String> ended = watched && rest.isEmpty() ? Set.of(PENDING) : Set.of();
    if (pr.merged() && pr.mergeCommit() == null) {
      return Optional.empty(); // the forge has not computed it yet: ask again next time
    }
    if (pr.merged()) {
      Optional<Merged> known = merged(annotations);
      if (known.isPresent()
          && known.get().source().promotion().equals(pending.source().promotion())
          && known.get().pullRequest() >= pr.number()) {
        // Already recorded, or a newer promotion was: only end the watch.
        return watched ? Optional.of(new Write(keep, ended, Decision.MERGED)) : Optional.empty();
      }
      Merged merged = new Merged(pending.source(), pr.number(), pr.url(), pr.mergeCommit(), null);
      Map<String, String> set = new HashMap<>(watched ? keep : Map.of());
      set.put(PROMOTED_FROM, json(merged));
      return Optional.of(new Write(Map.copyOf(set), ended, Decision.MERGED));
    }
    if (!pr.open() && watched) {
      return Optional.of(new Write(keep, ended, Decision.CLOSED_UNMERGED));
    }
    return Optional.empty();
  }

  /**
   * The target's rollout state now, and whether its commit contains the merge commit: the first
   * rollout that does is the one the promotion started, and is recorded once.
   */
  public static Optional<Write> link(
      Map<String, String> annotations, RolloutState target, boolean containsMergeCommit) {
    Optional<Merged> merged = merged(annotations);
    if (merged.isEmpty() || merged.get().rollout() != null || !containsMergeCommit) {
      return Optional.empty();
    }
    Merged linked =
        merged.get().withRollout(new TargetRollout(target.source().commit(), target.rollout()));
    return Optional.of(new Write(Map.of(PROMOTED_FROM, json(linked)), Set.of(), Decision.LINKED));
  }

  private static <T> Optional<T> read(Map<String, String> annotations, String key, Class<T> type) {
    String raw = annotations == null ? null : annotations.get(key);
    if (raw == null || raw.isBlank()) {
      return Optional.empty();
    }
    try {
      // One with a field missing (edited by hand) is as broken as one that does not parse: what
      // reads it compares and prints every field.
      return Optional.ofNullable(JSON.readValue(raw, type))
          .filter(
              value ->
                  !(value instanceof Merged m)
                      || (m.source() != null
                          && m.source().complete()
                          && m.pullRequest() > 0
                          && m.url() != null
                          && m.mergeCommit() != null
                          && (m.rollout() == null || m.rollout().commit() != null)));
    } catch (JsonProcessingException e) {
      return Optional.empty(); // written by hand and broken: treated as absent, then overwritten
    }
  }

  /** Whether a pending record has every field: one edited by hand may lack some. */
  private static boolean complete(Pending p) {
    return p != null
        && p.source() != null
        && p.source().complete()
        && p.pullRequest() > 0
        && p.url() != null
        && p.head() != null;
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(Objects.requireNonNull(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("records of strings and numbers always serialize", e);
    }
  }
}
