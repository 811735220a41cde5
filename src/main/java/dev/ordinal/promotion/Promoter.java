package dev.ordinal.promotion;

import dev.ordinal.git.GitCredentials;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.GitWorkspace;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.plan.RolloutPlans;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.RolloutPreview;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.RolloutStateFormatException;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Carries out promotions and revert pull requests. Every step can be repeated: the branch is named
 * by the rule, the StatefulSet and the source commit, so after a restart the forge (a pull request
 * from that branch, in any state) or the target itself (the images already there) says it was done;
 * nothing is opened twice. What was settled is also remembered in memory, so a quiet tick costs no
 * call at all.
 */
public final class Promoter implements AutoCloseable {
  /** Digits of the source commit in a branch name: unique enough, short enough to read. */
  private static final int BRANCH_COMMIT_DIGITS = 12;

  /**
   * One promotion rule: from an environment to another, in a mode, behind gates.
   *
   * @param push true pushes to the target branch; false opens a pull request
   * @param carry what goes from the source to the target
   */
  public record Rule(
      String name,
      Environment from,
      Environment to,
      boolean push,
      Duration soak,
      List<Gates.FreezeWindow> freeze,
      Carry carry) {
    /** A rule that carries the images. */
    public Rule(
        String name,
        Environment from,
        Environment to,
        boolean push,
        Duration soak,
        List<Gates.FreezeWindow> freeze) {
      this(name, from, to, push, soak, freeze, new Carry.Images());
    }
  }

  /** What one promotion attempt came to. */
  public sealed interface Outcome {
    /** A gate holds it. */
    record Gated(Gates.Gate gate) implements Outcome {}

    /** Nothing to do: {@code why} says (e.g. the target already runs these images). */
    record Skipped(String why) implements Outcome {}

    /** A pull request already exists for this revision (open, closed or merged). */
    record Exists(Forge.PullRequest pr) implements Outcome {}

    /** A pull request was opened; {@code closed} lists stale ones closed for it. */
    record Opened(Forge.PullRequest pr, String commit, List<Integer> closed) implements Outcome {}

    /** Pushed straight to the target branch. */
    record Pushed(String commit) implements Outcome {}

    /** Could not finish (Git or forge unreachable, rejected): tried again on the next tick. */
    record Failed(String why) implements Outcome {}
  }

  private final GitRepoCache cache;
  private final long maxFetchBytes;
  private final GitWorkspace.Authorship by;
  private final ManifestLoader loader;
  private final Map<String, GitWorkspace> workspaces = new ConcurrentHashMap<>();
  private final Map<String, Outcome> settled = new ConcurrentHashMap<>();

  /** The commit each open revert pull request was written on, by number: Ordinal writes it once. */
  private final Map<Integer, ObjectId> revertBases = new ConcurrentHashMap<>();

  /**
   * @param loader reads the target's manifests before and after a promotion, for the rollout plan
   *     in the pull request; give it the daemon's analysis trust, so that it accepts what the
   *     daemon accepts
   */
  public Promoter(
      GitRepoCache cache, long maxFetchBytes, GitWorkspace.Authorship by, ManifestLoader loader) {
    this.cache = cache;
    this.maxFetchBytes = maxFetchBytes;
    this.by = by;
    this.loader = loader;
  }

  /** The branch a promotion of {@code commit} of StatefulSet {@code sts} is pushed to. */
  public static String branch(Rule rule, String sts, String commit) {
    return "ordinal/promote/" + rule.name() + "/" + sts + "-" + shortId(commit);
  }

  /** The branch a revert of {@code commit} for StatefulSet {@code sts} is pushed to. */
  public static String revertBranch(String app, String sts, String commit) {
    return revertPrefix(app) + sts + "-" + shortId(commit);
  }

  /** The rollout state on a StatefulSet, if readable. */
  public static Optional<RolloutState> state(StatefulSet sts) {
    try {
      return Annotations.state(sts.getMetadata().getAnnotations()).map(RolloutState::fromJson);
    } catch (RolloutStateFormatException e) {
      return Optional.empty();
    }
  }

  /** The gate of a source StatefulSet now (no I/O). */
  public static Gates.Gate gate(Rule rule, StatefulSet sts, Instant now, boolean force) {
    Optional<RolloutState> state = state(sts);
    if (state.isEmpty()) {
      return new Gates.Gate.Closed("no readable rollout state on the StatefulSet yet");
    }
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    return Gates.evaluate(
        state.get(),
        now,
        rule.soak(),
        rule.freeze(),
        Optional.ofNullable(
            annotations == null ? null : annotations.get(Gates.APPROVAL_ANNOTATION)),
        force);
  }

  /** Promotes {@code source} (a StatefulSet of the rule's source app) if its gates are open. */
  public Outcome promote(Rule rule, StatefulSet source, Instant now, boolean force) {
    Gates.Gate gate = gate(rule, source, now, force);
    if (!(gate instanceof Gates.Gate.Open open)) {
      return new Outcome.Gated(gate);
    }
    RolloutState state = state(source).orElseThrow();
    String name = source.getMetadata().getName();
    String commit = state.source().commit();
    String branch = branch(rule, name, commit);
    Outcome known = settled.get(branch);
    if (known != null) {
      return known;
    }
    try {
      if (!rule.push()) {
        Forge forge = rule.to().forge().orElseThrow();
        List<Forge.PullRequest> existing = forge.pullRequests(rule.to().branch(), branch, true);
        if (!existing.isEmpty()) {
          return settle(branch, new Outcome.Exists(existing.get(0)));
        }
      }
      GitWorkspace source1 = workspace(rule.from());
      ObjectId sourceCommit = source1.ensureCommit(commit, rule.from().branch());
      GitWorkspace target = workspace(rule.to());
      ObjectId tip =
          target
              .fetchBranch(rule.to().branch())
              .orElseThrow(
                  () ->
                      new GitSourceException(
                          "branch "
                              + rule.to().branch()
                              + " not found for app "
                              + rule.to().app()));
      Carrier.Carried carried =
          Carrier.carry(
              rule.carry(),
              name,
              commit,
              new Carrier.Side(rule.from(), source1, sourceCommit),
              new Carrier.Side(rule.to(), target, tip));
      if (!(carried instanceof Carrier.Carried.Changes changes)) {
        return settle(branch, new Outcome.Skipped(((Carrier.Carried.Nothing) carried).why()));
      }
      String message = message(rule, name, state, open, changes.summary());
      ObjectId written =
          changes.creates()
              ? target.commitWrites(tip, changes.files(), by, message)
              : target.commitFiles(tip, changes.files(), by, message);
      if (rule.push()) {
        GitWorkspace.Pushed pushed = target.push(written, rule.to().branch(), tip, false);
        if (pushed == GitWorkspace.Pushed.REJECTED) {
          return new Outcome.Failed(
              "branch " + rule.to().branch() + " moved while promoting; trying again next time");
        }
        return settle(branch, new Outcome.Pushed(written.name()));
      }
      target.push(written, branch, null, true);
      Forge forge = rule.to().forge().orElseThrow();
      Forge.PullRequest pr;
      try {
        pr =
            forge.openPullRequest(
                branch,
                rule.to().branch(),
                message.lines().findFirst().orElse(""),
                body(message) + "\n" + targetPlan(target, rule.to(), tip, written));
      } catch (ForgeException e) {
        List<Forge.PullRequest> raced = forge.pullRequests(rule.to().branch(), branch, true);
        if (e.status() == 422 && !raced.isEmpty()) {
          return settle(branch, new Outcome.Exists(raced.get(0)));
        }
        throw e;
      }
      List<Integer> closed = new ArrayList<>();
      String stalePrefix = "ordinal/promote/" + rule.name() + "/" + name + "-";
      for (Forge.PullRequest stale : forge.openWithHeadPrefix(rule.to().branch(), stalePrefix)) {
        if (!stale.head().equals(branch)) {
          forge.closePullRequest(stale.number());
          closed.add(stale.number());
        }
      }
      return settle(branch, new Outcome.Opened(pr, written.name(), closed));
    } catch (GitSourceException | ForgeException | IllegalArgumentException e) {
      return new Outcome.Failed(e.getMessage());
    }
  }

  /**
   * After an automatic rollback: a pull request that puts the app's path back as it was before the
   * bad commit, on top of the branch, if the branch still holds the bad commit's version of the
   * path (when Git moved on by itself there is nothing to revert).
   */
  public Outcome revert(Environment env, String sts, RolloutState state) {
    String commit = state.source().commit();
    if (commit.isEmpty() || env.forge().isEmpty()) {
      return new Outcome.Skipped("no commit or no forge to revert with");
    }
    String branch = revertBranch(env.app(), sts, commit);
    Outcome known = settled.get(branch);
    if (known != null) {
      return known;
    }
    Forge forge = env.forge().get();
    try {
      List<Forge.PullRequest> existing = forge.pullRequests(env.branch(), branch, true);
      if (!existing.isEmpty()) {
        return settle(branch, new Outcome.Exists(existing.get(0)));
      }
      GitWorkspace git = workspace(env);
      ObjectId bad = git.ensureCommit(commit, env.branch());
      ObjectId tip = git.fetchBranch(env.branch()).orElseThrow();
      if (!git.treeAt(tip, env.path()).equals(git.treeAt(bad, env.path()))) {
        return settle(
            branch,
            new Outcome.Skipped("Git moved on from " + shortId(commit) + " under " + env.path()));
      }
      Optional<ObjectId> parent = git.parentOf(bad);
      ObjectId before = parent.isEmpty() ? null : git.treeAt(parent.get(), env.path()).orElse(null);
      String message =
          "Revert "
              + shortId(commit)
              + " in "
              + env.path()
              + ": "
              + sts
              + " was rolled back\n\n"
              + "Ordinal rolled back StatefulSet "
              + sts
              + " of app "
              + env.app()
              + " from commit "
              + commit
              + ".\nWhy: "
              + state.reason()
              + "\nVerdicts: "
              + Gates.verdicts(state)
              + "\n\nThis reverts only the app's path "
              + env.path()
              + ", so Git again says what the cluster runs.\n";
      ObjectId written = git.commitSubtree(tip, env.path(), before, by, message);
      git.push(written, branch, null, true);
      Forge.PullRequest pr =
          forge.openPullRequest(
              branch, env.branch(), message.lines().findFirst().orElse(""), body(message));
      return settle(branch, new Outcome.Opened(pr, written.name(), List.of()));
    } catch (GitSourceException | ForgeException e) {
      return new Outcome.Failed(e.getMessage());
    }
  }

  /**
   * An open revert pull request closed because Git moved on by itself: the app's path at the
   * branch's tip is no longer what it was on {@code revertedOn}, the commit the revert was written
   * on top of (whose path still held the bad change), so the revert would undo someone's newer
   * work.
   */
  public record RevertClosed(Forge.PullRequest pr, String revertedOn, String branchTip) {}

  /**
   * Closes, without a comment, each of Ordinal's open revert pull requests for {@code env} whose
   * app path moved on in Git since the revert was written (fixed or reverted by hand, or a newer
   * commit). A revert pull request whose branch is gone is left alone.
   */
  public List<RevertClosed> closeOutdatedReverts(Environment env)
      throws GitSourceException, ForgeException {
    if (env.forge().isEmpty()) {
      return List.of();
    }
    Forge forge = env.forge().get();
    List<Forge.PullRequest> open = forge.openWithHeadPrefix(env.branch(), revertPrefix(env.app()));
    if (open.isEmpty()) {
      return List.of();
    }
    GitWorkspace git = workspace(env);
    ObjectId tip = git.fetchBranch(env.branch()).orElse(null);
    if (tip == null) {
      return List.of();
    }
    Optional<ObjectId> now = git.treeAt(tip, env.path());
    List<RevertClosed> closed = new ArrayList<>();
    for (Forge.PullRequest pr : open) {
      Optional<ObjectId> base = Optional.ofNullable(revertBases.get(pr.number()));
      if (base.isEmpty()) {
        Optional<ObjectId> revert = git.fetchBranch(pr.head());
        base = revert.isEmpty() ? Optional.empty() : git.parentOf(revert.get());
        base.ifPresent(b -> revertBases.put(pr.number(), b));
      }
      if (base.isEmpty() || git.treeAt(base.get(), env.path()).equals(now)) {
        continue;
      }
      forge.closePullRequest(pr.number());
      closed.add(new RevertClosed(pr, base.get().name(), tip.name()));
    }
    return closed;
  }

  /**
   * Whether {@code commit} of {@code env}'s repository is {@code ancestor} or comes after it,
   * fetching either when this clone lacks it.
   */
  public boolean contains(Environment env, String commit, String ancestor)
      throws GitSourceException {
    GitWorkspace git = workspace(env);
    return git.contains(
        git.ensureCommit(commit, env.branch()), git.ensureCommit(ancestor, env.branch()));
  }

  private static String revertPrefix(String app) {
    return "ordinal/revert/" + app + "/";
  }

  private Outcome settle(String branch, Outcome outcome) {
    settled.put(branch, outcome);
    return outcome;
  }

  private static String message(
      Rule rule, String sts, RolloutState state, Gates.Gate.Open gate, String carried) {
    StringBuilder m =
        new StringBuilder("Promote ")
            .append(sts)
            .append(" from ")
            .append(rule.from().app())
            .append(" to ")
            .append(rule.to().app())
            .append(" (")
            .append(shortId(state.source().commit()))
            .append(")\n\n");
    m.append("Source commit: ")
        .append(state.source().commit())
        .append(" (app ")
        .append(rule.from().app())
        .append(", path ")
        .append(rule.from().path())
        .append(")\n");
    m.append("Rollout: StatefulSet ")
        .append(sts)
        .append(", rollout ")
        .append(state.rollout())
        .append(", revision ")
        .append(state.targetRevision())
        .append(", Healthy since ")
        .append(state.progressAt())
        .append('\n');
    m.append("Verdicts: ").append(Gates.verdicts(state)).append('\n');
    m.append("Gate: ").append(gate.why()).append('\n').append(carried);
    return m.toString();
  }

  /**
   * The rollouts merging the promotion starts in the target, as {@code ordinal plan} prints them,
   * found by loading the target's manifests before and after the change. Loading is pure, so the
   * plan needs no cluster: the replica count is Git's (or, where Git leaves it out, 1).
   */
  private String targetPlan(GitWorkspace git, Environment env, ObjectId before, ObjectId after)
      throws GitSourceException {
    String heading = "## Rollout plan for app " + RolloutPreview.escapeMarkdown(env.app()) + "\n\n";
    LoadResult was = loader.load(git.sourceTree(before, env.path()));
    LoadResult will = loader.load(git.sourceTree(after, env.path()));
    if (!(will instanceof LoadResult.Loaded loaded)) {
      StringBuilder out =
          new StringBuilder(heading)
              .append("After this change the manifests under ")
              .append(RolloutPreview.escapeMarkdown(env.path()))
              .append(" do not load, so Ordinal would apply nothing:\n\n");
      ((LoadResult.Invalid) will)
          .errors()
          .forEach(
              e ->
                  out.append("- ")
                      .append(RolloutPreview.escapeMarkdown(e.toString()))
                      .append('\n'));
      return out.toString();
    }
    if (!(was instanceof LoadResult.Loaded earlier)) {
      return heading
          + "The manifests under "
          + RolloutPreview.escapeMarkdown(env.path())
          + " do not load before this change, so there is no plan to compare with.\n";
    }
    List<RolloutPlans.Rollout> rollouts =
        RolloutPlans.between(earlier.state(), loaded.state(), env.namespace());
    if (rollouts.isEmpty()) {
      return heading + "No StatefulSet's pod template changes: nothing rolls out.\n";
    }
    StringBuilder out = new StringBuilder(heading);
    for (RolloutPlans.Rollout rollout : rollouts) {
      if (rollout instanceof RolloutPlans.Rollout.Stepped stepped) {
        out.append(RolloutPlans.section(stepped));
      } else {
        out.append("StatefulSet ")
            .append(RolloutPreview.escapeMarkdown(rollout.key()))
            .append(": no RolloutPolicy governs it; the StatefulSet controller rolls it out at")
            .append(" once.\n");
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** A commit message's body as the pull request's, in a code block so nothing renders as HTML. */
  private static String body(String message) {
    int blank = message.indexOf("\n\n");
    String rest = blank < 0 ? message : message.substring(blank + 2);
    return "Opened by Ordinal.\n\n```\n" + rest.replace("```", "'''") + "```\n";
  }

  private GitWorkspace workspace(Environment env) throws GitSourceException {
    GitWorkspace existing = workspaces.get(env.repo());
    if (existing != null) {
      return existing;
    }
    GitCredentials credentials = env.credentials();
    GitWorkspace opened = GitWorkspace.open(cache, env.repo(), credentials, maxFetchBytes);
    GitWorkspace raced = workspaces.putIfAbsent(env.repo(), opened);
    if (raced != null) {
      opened.close();
      return raced;
    }
    return opened;
  }

  static String shortId(String commit) {
    return commit.length() <= BRANCH_COMMIT_DIGITS
        ? commit
        : commit.substring(0, BRANCH_COMMIT_DIGITS);
  }

  @Override
  public void close() {
    workspaces.values().forEach(GitWorkspace::close);
    workspaces.clear();
  }
}
