package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.PhaseReason;
import dev.ordinal.rollout.RolloutSource;
import dev.ordinal.rollout.RolloutState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromotionLinksTest {
  private static final PromotionLinks.Source SOURCE =
      new PromotionLinks.Source("staging-to-prod", "staging", "db", "a".repeat(40));
  private static final String HEAD = "ordinal/promote/staging-to-prod/db-aaaaaaaaaaaa";
  private static final String MERGE = "b".repeat(40);

  private static Forge.PullRequest pr(int number, boolean open, boolean merged) {
    return new Forge.PullRequest(
        number,
        "https://github.com/acme/config/pull/" + number,
        HEAD,
        "main",
        open,
        merged,
        merged ? MERGE : null);
  }

  /** The annotations after applying {@code write}, as the API server would keep them. */
  private static Map<String, String> apply(
      Map<String, String> annotations, Optional<PromotionLinks.Write> write) {
    Map<String, String> next = new HashMap<>(annotations);
    write.ifPresent(
        w -> {
          next.putAll(w.set());
          w.remove().forEach(next::remove);
        });
    return next;
  }

  private static RolloutState target(String commit, int rollout) {
    return new RolloutState(
        new RolloutState.Revisions("db-1", "db-2", rollout),
        new RolloutSource("prod", commit),
        new RolloutState.StepPosition(0, 2, Instant.EPOCH),
        new RolloutState.Status(Phase.PROGRESSING, PhaseReason.NONE, ""),
        new RolloutState.Progress(Instant.EPOCH, Instant.EPOCH, 0),
        false,
        new RolloutState.Memory(Set.of(), Set.of(), List.of()));
  }

  @Test
  void anOpenPullRequestIsWatchedOnceThenItsMergeIsRecordedOnceAndEndsTheWatch() {
    Optional<PromotionLinks.Write> watch =
        PromotionLinks.watch(Map.of(), SOURCE, pr(7, true, false));
    assertEquals(PromotionLinks.Decision.WATCHING, watch.orElseThrow().decision());
    Map<String, String> watching = apply(Map.of("other", "kept"), watch);
    PromotionLinks.Pending pending =
        PromotionLinks.pendings(watching).stream().findFirst().orElseThrow();
    assertEquals(new PromotionLinks.Pending(SOURCE, 7, pr(7, true, false).url(), HEAD), pending);
    assertEquals(
        Optional.empty(),
        PromotionLinks.watch(watching, SOURCE, pr(7, true, false)),
        "found again after a restart: already watched");
    assertEquals(Optional.empty(), PromotionLinks.observe(watching, pending, pr(7, true, false)));

    Optional<PromotionLinks.Write> merge =
        PromotionLinks.observe(watching, pending, pr(7, false, true));
    assertEquals(PromotionLinks.Decision.MERGED, merge.orElseThrow().decision());
    Map<String, String> merged = apply(watching, merge);
    assertEquals(Set.of("other", PromotionLinks.PROMOTED_FROM), merged.keySet(), "one write");
    assertEquals(
        new PromotionLinks.Merged(SOURCE, 7, pr(7, false, true).url(), MERGE, null),
        PromotionLinks.merged(merged).orElseThrow());

    // A restart between the forge's answer and the next check repeats nothing.
    assertEquals(Optional.empty(), PromotionLinks.observe(merged, pending, pr(7, false, true)));
    assertEquals(Optional.empty(), PromotionLinks.watch(merged, SOURCE, pr(7, false, true)));
  }

  /**
   * Two rules promoting into one StatefulSet (the README's images and files rules): each pull
   * request is watched apart; once both are recorded, checking them again writes nothing (they
   * replaced each other on every check before), and one's merge keeps the other's watch.
   */
  @Test
  void twoPromotionsIntoOneStatefulSetAreWatchedApartAndNeitherReplacesTheOther() {
    PromotionLinks.Source files =
        new PromotionLinks.Source("staging-config-to-prod", "staging", "db", "a".repeat(40));
    Forge.PullRequest filesPr =
        new Forge.PullRequest(
            9,
            "https://github.com/acme/config/pull/9",
            "ordinal/promote/staging-config-to-prod/db-aaaaaaaaaaaa",
            "main",
            true,
            false,
            null);
    Map<String, String> one =
        apply(Map.of(), PromotionLinks.watch(Map.of(), SOURCE, pr(7, true, false)));
    Map<String, String> both = apply(one, PromotionLinks.watch(one, files, filesPr));
    assertEquals(
        List.of("staging-to-prod", "staging-config-to-prod"),
        PromotionLinks.pendings(both).stream().map(p -> p.source().promotion()).toList());
    assertEquals(Optional.empty(), PromotionLinks.watch(both, SOURCE, pr(7, true, false)));
    assertEquals(Optional.empty(), PromotionLinks.watch(both, files, filesPr));

    PromotionLinks.Pending images = PromotionLinks.pending(both, "staging-to-prod").orElseThrow();
    Map<String, String> merged =
        apply(both, PromotionLinks.observe(both, images, pr(7, false, true)));
    assertEquals(7, PromotionLinks.merged(merged).orElseThrow().pullRequest());
    assertEquals(
        List.of(9),
        PromotionLinks.pendings(merged).stream().map(PromotionLinks.Pending::pullRequest).toList(),
        "the other promotion is still watched");

    // A newer pull request of one promotion replaces its older one, not the other's.
    Map<String, String> newer = apply(both, PromotionLinks.watch(both, SOURCE, pr(8, true, false)));
    assertEquals(
        List.of(9, 8),
        PromotionLinks.pendings(newer).stream().map(PromotionLinks.Pending::pullRequest).toList());

    // Closed unmerged, the last watch removes the annotation.
    PromotionLinks.Pending filesPending =
        PromotionLinks.pending(merged, "staging-config-to-prod").orElseThrow();
    Map<String, String> closed =
        apply(
            merged,
            PromotionLinks.observe(
                merged,
                filesPending,
                new Forge.PullRequest(
                    9, filesPr.url(), filesPr.head(), "main", false, false, null)));
    assertTrue(!closed.containsKey(PromotionLinks.PENDING), closed.toString());
  }

  /** A record of one pull request, as written before records were lists, reads as a list of one. */
  @Test
  void aSingleRecordAsWrittenBeforeReadsAsAListOfOne() {
    String single =
        "{\"source\":{\"promotion\":\"staging-to-prod\",\"app\":\"staging\",\"statefulSet\":\"db\","
            + "\"commit\":\"c\"},\"pullRequest\":7,\"url\":\"u\",\"head\":\"h\"}";
    assertEquals(
        List.of(7),
        PromotionLinks.pendings(Map.of(PromotionLinks.PENDING, single)).stream()
            .map(PromotionLinks.Pending::pullRequest)
            .toList());
    assertEquals(
        List.of(7),
        PromotionLinks.pendings(Map.of(PromotionLinks.PENDING, "[" + single + ",{}]")).stream()
            .map(PromotionLinks.Pending::pullRequest)
            .toList(),
        "a broken entry beside a good one is dropped alone");
  }

  @Test
  void aMergeFoundAfterARestartIsRecordedWithoutAWatchAndAnOlderOneNeverReplacesANewer() {
    Map<String, String> merged =
        apply(Map.of(), PromotionLinks.watch(Map.of(), SOURCE, pr(8, false, true)));
    assertEquals(8, PromotionLinks.merged(merged).orElseThrow().pullRequest());
    assertEquals(Optional.empty(), PromotionLinks.watch(merged, SOURCE, pr(7, false, true)));
  }

  @Test
  void aPullRequestClosedUnmergedEndsTheWatchAndRecordsNoMerge() {
    Map<String, String> watching =
        apply(Map.of(), PromotionLinks.watch(Map.of(), SOURCE, pr(7, true, false)));
    PromotionLinks.Pending pending =
        PromotionLinks.pendings(watching).stream().findFirst().orElseThrow();
    Optional<PromotionLinks.Write> closed =
        PromotionLinks.observe(watching, pending, pr(7, false, false));
    assertEquals(PromotionLinks.Decision.CLOSED_UNMERGED, closed.orElseThrow().decision());
    assertEquals(Map.of(), apply(watching, closed));
  }

  @Test
  void theFirstTargetRolloutOfACommitContainingTheMergeIsLinkedOnce() {
    Map<String, String> merged =
        apply(Map.of(), PromotionLinks.watch(Map.of(), SOURCE, pr(7, false, true)));
    assertEquals(Optional.empty(), PromotionLinks.link(merged, target("c".repeat(40), 3), false));
    Optional<PromotionLinks.Write> link = PromotionLinks.link(merged, target(MERGE, 4), true);
    assertEquals(PromotionLinks.Decision.LINKED, link.orElseThrow().decision());
    Map<String, String> linked = apply(merged, link);
    PromotionLinks.Merged record = PromotionLinks.merged(linked).orElseThrow();
    assertEquals(new PromotionLinks.TargetRollout(MERGE, 4), record.rollout());
    assertEquals(SOURCE, record.source());
    assertEquals(Optional.empty(), PromotionLinks.link(linked, target("d".repeat(40), 5), true));
  }

  @Test
  void aBrokenAnnotationReadsAsAbsent() {
    assertTrue(PromotionLinks.merged(Map.of(PromotionLinks.PROMOTED_FROM, "{not json")).isEmpty());
    assertTrue(
        PromotionLinks.pendings(Map.of(PromotionLinks.PENDING, "{}")).stream()
            .findFirst()
            .isEmpty());
  }

  /** Edited by hand with a field left out: what reads it compares and prints every field. */
  @Test
  void anAnnotationWithAFieldMissingReadsAsAbsent() {
    String source = "{\"promotion\":\"p\",\"app\":\"a\",\"statefulSet\":\"db\",\"commit\":\"c\"}";
    String pending = "{\"source\":%s,\"pullRequest\":1,\"url\":\"u\",\"head\":\"h\"}";
    String merged = "{\"source\":%s,\"pullRequest\":1,\"url\":\"u\",\"mergeCommit\":\"m\"}";
    assertTrue(
        PromotionLinks.pendings(Map.of(PromotionLinks.PENDING, pending.formatted(source))).stream()
            .findFirst()
            .isPresent());
    assertTrue(
        PromotionLinks.merged(Map.of(PromotionLinks.PROMOTED_FROM, merged.formatted(source)))
            .isPresent());
    String partial = "{\"app\":\"a\"}";
    assertTrue(
        PromotionLinks.pendings(Map.of(PromotionLinks.PENDING, pending.formatted(partial))).stream()
            .findFirst()
            .isEmpty());
    assertTrue(
        PromotionLinks.merged(Map.of(PromotionLinks.PROMOTED_FROM, merged.formatted(partial)))
            .isEmpty());
    assertTrue(
        PromotionLinks.pendings(
                Map.of(
                    PromotionLinks.PENDING,
                    pending.formatted(source).replace(",\"head\":\"h\"", "")))
            .stream()
            .findFirst()
            .isEmpty());
    assertTrue(
        PromotionLinks.merged(
                Map.of(
                    PromotionLinks.PROMOTED_FROM,
                    merged.formatted(source).replace(",\"mergeCommit\":\"m\"", "")))
            .isEmpty());
    assertTrue(
        PromotionLinks.pendings(
                Map.of(
                    PromotionLinks.PENDING,
                    pending.formatted(source).replace("\"pullRequest\":1,", "")))
            .stream()
            .findFirst()
            .isEmpty(),
        "no pull request number is not pull request #0");
    String linked =
        merged.formatted(source).replace("\"mergeCommit\":\"m\"", "\"mergeCommit\":\"m\",%s");
    assertTrue(
        PromotionLinks.merged(
                Map.of(
                    PromotionLinks.PROMOTED_FROM, linked.formatted("\"rollout\":{\"rollout\":2}")))
            .isEmpty(),
        "a linked rollout without its commit");
    assertTrue(
        PromotionLinks.merged(
                Map.of(
                    PromotionLinks.PROMOTED_FROM,
                    linked.formatted("\"rollout\":{\"commit\":\"m\",\"rollout\":2}")))
            .isPresent(),
        "a linked rollout with its commit");
  }
}
