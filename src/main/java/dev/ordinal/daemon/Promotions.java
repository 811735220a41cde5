package dev.ordinal.daemon;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.GitWorkspace;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.promotion.Environment;
import dev.ordinal.promotion.Forge;
import dev.ordinal.promotion.ForgeClient;
import dev.ordinal.promotion.ForgeCredential;
import dev.ordinal.promotion.ForgeException;
import dev.ordinal.promotion.Gates;
import dev.ordinal.promotion.GitHubAppCredential;
import dev.ordinal.promotion.GitHubForge;
import dev.ordinal.promotion.GitLabForge;
import dev.ordinal.promotion.GiteaForge;
import dev.ordinal.promotion.Promoter;
import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.RolloutEvent;
import dev.ordinal.rollout.RolloutState;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Promotions, commit statuses and revert pull requests as the daemon runs them: on their own
 * threads, fed by the event bus and a timer, so that a slow or absent forge never holds up a
 * rollout. Only the leader acts. One log line per outcome that changed.
 */
public final class Promotions implements EventBus.Subscriber, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Promotions.class);

  private final Map<String, Environment> environments;
  private final List<Promoter.Rule> rules;
  private final Promoter promoter;
  private final Function<String, List<StatefulSet>> statefulSetsOfApp;
  private final Workloads workloads;
  private final BooleanSupplier leading;
  private final Clock clock;
  private final String statusPage;
  private final ThreadPoolExecutor forgeCalls;
  private final ScheduledExecutorService timer;
  private final Map<String, String> lastLogged = new ConcurrentHashMap<>();

  /**
   * Pull requests seen closed unmerged, by URL: the promoter remembers them as it first saw them
   * (open), and watching one again would only be undone on the next check.
   */
  private final Set<String> closedUnmerged = ConcurrentHashMap.newKeySet();

  Promotions(
      DaemonConfig config,
      Path dataDir,
      Function<String, List<StatefulSet>> statefulSetsOfApp,
      Workloads workloads,
      BooleanSupplier leading,
      Clock clock)
      throws GitSourceException {
    this.environments = environments(config);
    this.statefulSetsOfApp = statefulSetsOfApp;
    this.workloads = workloads;
    this.leading = leading;
    this.clock = clock;
    this.statusPage = config.statusPage();
    DaemonConfig.Person author = config.commitAuthorOrDefault();
    DaemonConfig.Person committer = config.committerOrDefault();
    this.promoter =
        new Promoter(
            new GitRepoCache(dataDir.resolve("promotion-git")),
            config.maxFetchBytesOrDefault(),
            new GitWorkspace.Authorship(
                author.name(), author.email(), committer.name(), committer.email()),
            new ManifestLoader(ConditionGrammar.INSTANCE, config.analysisTrust()));
    this.rules = rules(config, environments);
    // One thread: Git writes are never concurrent, and statuses keep their order per commit.
    this.forgeCalls =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1000),
            r -> {
              Thread t = new Thread(r, "ordinal-promotions");
              t.setDaemon(true);
              return t;
            });
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "ordinal-promotions-timer");
              t.setDaemon(true);
              return t;
            });
    if (!rules.isEmpty() || environments.values().stream().anyMatch(Environment::reverts)) {
      long every = config.promotionIntervalOrDefault().toMillis();
      timer.scheduleWithFixedDelay(
          () -> submit("promotion check", this::checkAll), every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** The rules of the config, for the CLI and the daemon alike. */
  public static List<Promoter.Rule> rules(
      DaemonConfig config, Map<String, Environment> environments) {
    List<Promoter.Rule> rules = new ArrayList<>();
    for (DaemonConfig.Promotion p : config.promotionsOrEmpty()) {
      List<Gates.FreezeWindow> freeze =
          p.freezeWindows() == null
              ? List.of()
              : p.freezeWindows().stream().map(DaemonConfig.FreezeWindow::window).toList();
      rules.add(
          new Promoter.Rule(
              p.name(),
              environments.get(p.from()),
              environments.get(p.to()),
              p.modeOrDefault().equals("push"),
              p.soak(),
              freeze,
              p.carryOrDefault()));
    }
    return rules;
  }

  /** Every app as an environment, its forge built with the token or private key read now. */
  public static Map<String, Environment> environments(DaemonConfig config)
      throws GitSourceException {
    Map<String, Environment> envs = new LinkedHashMap<>();
    for (DaemonConfig.App app : config.apps()) {
      DaemonConfig.Forge f = app.forge();
      Optional<Forge> forge = Optional.empty();
      if (f != null) {
        forge = Optional.of(forge(f, ForgeClient.standard()));
      }
      envs.put(
          app.name(),
          new Environment(
              app.name(),
              app.repo(),
              app.revisionOrDefault(),
              app.pathOrDefault(),
              app.namespace(),
              Daemon.Credentials.of(app.credentials()),
              forge,
              f != null && f.statusesEnabled(),
              f != null && f.revertsEnabled()));
    }
    return envs;
  }

  /** The adapter of the forge's type; the config was validated, so the type is one of three. */
  static Forge forge(DaemonConfig.Forge f, ForgeClient client) throws GitSourceException {
    URI api = URI.create(f.apiOrDefault());
    return switch (f.type()) {
      case "gitlab" ->
          new GitLabForge(api, f.repository(), new ForgeCredential.Token(token(f)), client);
      case "gitea" ->
          new GiteaForge(api, f.repository(), new ForgeCredential.Token(token(f)), client);
      default ->
          new GitHubForge(
              api,
              f.repository(),
              f.githubApp()
                  ? new GitHubAppCredential(
                      api, f.appId(), f.installationId(), privateKey(f), client)
                  : new ForgeCredential.Token(token(f)),
              client);
    };
  }

  private static PrivateKey privateKey(DaemonConfig.Forge f) throws GitSourceException {
    try {
      return GitHubAppCredential.readKey(Path.of(f.privateKeyFile()));
    } catch (IOException e) {
      // readKey's messages name the file and the problem, never the key.
      throw new GitSourceException(
          "the GitHub App key for "
              + f.repository()
              + ": "
              + e.getMessage()
              + "; check the Secret's mount");
    }
  }

  private static String token(DaemonConfig.Forge f) throws GitSourceException {
    String token;
    if (f.tokenFile() != null) {
      try {
        token = Files.readString(Path.of(f.tokenFile())).strip();
      } catch (IOException e) {
        throw new GitSourceException(
            f.tokenFile() + ": cannot read the forge token file; check the Secret's mount");
      }
    } else {
      token = System.getenv(f.tokenEnv());
    }
    if (token == null || token.isBlank()) {
      throw new GitSourceException(
          "the forge token for "
              + f.repository()
              + " is empty or unset ("
              + (f.tokenFile() != null ? "tokenFile " + f.tokenFile() : "tokenEnv " + f.tokenEnv())
              + ")");
    }
    return token;
  }

  public List<Promoter.Rule> rules() {
    return rules;
  }

  /**
   * Checks every rule now, on the calling thread (the timer's task): promotes what passed its
   * gates, follows the promotion pull requests the targets record, and closes revert pull requests
   * that Git made moot.
   */
  public void checkAll() {
    if (!leading.getAsBoolean()) {
      return;
    }
    for (Promoter.Rule rule : rules) {
      List<StatefulSet> targets =
          rule.push() ? List.of() : statefulSetsOfApp.apply(rule.to().app());
      for (StatefulSet sts : statefulSetsOfApp.apply(rule.from().app())) {
        Promoter.Outcome outcome = promoter.promote(rule, sts, clock.instant(), false);
        record(rule.name() + "/" + sts.getMetadata().getName(), rule, sts, outcome);
        Optional<Forge.PullRequest> pr = pullRequest(outcome);
        Optional<StatefulSet> target = named(targets, sts.getMetadata().getName());
        if (pr.isPresent() && target.isPresent() && !closedUnmerged.contains(pr.get().url())) {
          PromotionLinks.Source source =
              new PromotionLinks.Source(
                  rule.name(),
                  rule.from().app(),
                  sts.getMetadata().getName(),
                  Promoter.state(sts).orElseThrow().source().commit());
          write(
              rule,
              target.get(),
              PromotionLinks.watch(annotations(target.get()), source, pr.get()));
        }
      }
      for (StatefulSet target : targets) {
        follow(rule, target);
      }
    }
    for (Environment env : environments.values()) {
      if (env.reverts()) {
        closeOutdatedReverts(env);
      }
    }
  }

  /** The pull request a promotion opened or found, which its target then records; else empty. */
  public static Optional<Forge.PullRequest> pullRequest(Promoter.Outcome outcome) {
    if (outcome instanceof Promoter.Outcome.Opened opened) {
      return Optional.of(opened.pr());
    }
    if (outcome instanceof Promoter.Outcome.Exists exists) {
      return Optional.of(exists.pr());
    }
    return Optional.empty();
  }

  private static Optional<StatefulSet> named(List<StatefulSet> list, String name) {
    return list.stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst();
  }

  private static Map<String, String> annotations(StatefulSet sts) {
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  /**
   * The promotion recorded on a target: while its pull request is pending, asks the forge whether
   * it was merged; once merged, waits for the target's rollout of a commit containing the merge.
   */
  private void follow(Promoter.Rule rule, StatefulSet target) {
    Map<String, String> annotations = annotations(target);
    Optional<PromotionLinks.Pending> pending = PromotionLinks.pending(annotations, rule.name());
    Optional<Forge> forge = rule.to().forge();
    if (pending.isPresent() && forge.isPresent()) {
      try {
        Optional<Forge.PullRequest> pr =
            forge.get().pullRequests(rule.to().branch(), pending.get().head(), true).stream()
                .filter(p -> p.number() == pending.get().pullRequest())
                .findFirst();
        if (pr.isPresent()) {
          if (!pr.get().open() && !pr.get().merged()) {
            closedUnmerged.add(pr.get().url());
          }
          write(rule, target, PromotionLinks.observe(annotations, pending.get(), pr.get()));
          return; // the next check sees the merge recorded
        }
      } catch (ForgeException e) {
        log.warn(
            "promotion={} statefulSet={} pullRequest={} not checked: {}",
            rule.name(),
            target.getMetadata().getName(),
            pending.get().pullRequest(),
            e.getMessage());
        return;
      }
    }
    Optional<PromotionLinks.Merged> merged =
        PromotionLinks.merged(annotations)
            .filter(m -> m.source().promotion().equals(rule.name()) && m.rollout() == null);
    Optional<RolloutState> state = Promoter.state(target);
    if (merged.isEmpty() || state.isEmpty() || state.get().source().commit().isEmpty()) {
      return;
    }
    String commit = state.get().source().commit();
    try {
      boolean contains = promoter.contains(rule.to(), commit, merged.get().mergeCommit());
      write(rule, target, PromotionLinks.link(annotations, state.get(), contains));
    } catch (GitSourceException | IllegalArgumentException e) {
      log.warn(
          "promotion={} statefulSet={} commit={} not linked to merge {}: {}",
          rule.name(),
          target.getMetadata().getName(),
          commit,
          merged.get().mergeCommit(),
          e.getMessage());
    }
  }

  /** One write on the target; a conflict is tried again on the next check, from a fresh read. */
  private void write(Promoter.Rule rule, StatefulSet target, Optional<PromotionLinks.Write> write) {
    if (write.isEmpty()) {
      return;
    }
    Workloads.WriteResult result =
        workloads.write(
            target, new Workloads.RolloutWrite(null, write.get().set(), write.get().remove()));
    if (result instanceof Workloads.WriteResult.Written) {
      log.info(
          "promotion={} namespace={} statefulSet={} decision={}",
          rule.name(),
          target.getMetadata().getNamespace(),
          target.getMetadata().getName(),
          write.get().decision().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
  }

  private void closeOutdatedReverts(Environment env) {
    try {
      for (Promoter.RevertClosed closed : promoter.closeOutdatedReverts(env)) {
        log.info(
            "app={} pullRequest={} decision=revert-closed reason=git-moved-on revertedOn={}"
                + " branchTip={} url={}",
            env.app(),
            closed.pr().number(),
            closed.revertedOn(),
            closed.branchTip(),
            closed.pr().url());
      }
    } catch (GitSourceException | ForgeException e) {
      log.warn("app={} revert pull requests not checked: {}", env.app(), e.getMessage());
    }
  }

  private void record(String key, Promoter.Rule rule, StatefulSet sts, Promoter.Outcome outcome) {
    String text = describe(outcome);
    if (Objects.equals(lastLogged.put(key, text), text)) {
      return;
    }
    String line = "promotion={} namespace={} statefulSet={} to={} decision={} detail=\"{}\"";
    Object[] args = {
      rule.name(),
      sts.getMetadata().getNamespace(),
      sts.getMetadata().getName(),
      rule.to().app(),
      outcome.getClass().getSimpleName().toLowerCase(Locale.ROOT),
      text
    };
    if (outcome instanceof Promoter.Outcome.Failed) {
      log.warn(line, args);
    } else {
      log.info(line, args);
    }
  }

  /** One outcome for people (logs, the CLI). */
  public static String describe(Promoter.Outcome outcome) {
    if (outcome instanceof Promoter.Outcome.Gated g) {
      if (g.gate() instanceof Gates.Gate.Wait w) {
        return "waiting until " + w.until() + ": " + w.why();
      }
      return g.gate() instanceof Gates.Gate.Closed c ? c.why() : ((Gates.Gate.Open) g.gate()).why();
    }
    if (outcome instanceof Promoter.Outcome.Skipped s) {
      return s.why();
    }
    if (outcome instanceof Promoter.Outcome.Exists e) {
      return "pull request #"
          + e.pr().number()
          + " "
          + e.pr().url()
          + (e.pr().merged()
              ? " merged as " + e.pr().mergeCommit()
              : e.pr().open() ? " open" : " closed");
    }
    if (outcome instanceof Promoter.Outcome.Opened o) {
      return "opened pull request #"
          + o.pr().number()
          + " "
          + o.pr().url()
          + (o.closed().isEmpty() ? "" : "; closed stale " + o.closed());
    }
    if (outcome instanceof Promoter.Outcome.Pushed p) {
      return "pushed " + p.commit();
    }
    return ((Promoter.Outcome.Failed) outcome).why();
  }

  /** Statuses and revert pull requests follow rollout events, off the publishing thread. */
  @Override
  public void on(EventBus.Occurrence occurrence) {
    if (!(occurrence.event() instanceof RolloutEvent event) || occurrence.state().isEmpty()) {
      return;
    }
    RolloutState state = occurrence.state().get();
    Environment env = environments.get(state.source().app());
    String commit = state.source().commit();
    if (env == null || env.forge().isEmpty() || commit.isEmpty()) {
      return;
    }
    Forge forge = env.forge().get();
    String context = "ordinal/" + env.app() + "/" + occurrence.name();
    Forge.CommitState commitState;
    String description;
    if (event instanceof RolloutEvent.RolloutStarted started) {
      commitState = Forge.CommitState.PENDING;
      description = "rolling out " + occurrence.name() + " in " + started.steps() + " steps";
    } else if (event instanceof RolloutEvent.RolloutCompleted completed) {
      if (env.reverts()) {
        // A newer commit is Healthy: a revert of an older one would now undo it.
        submit("revert check of " + env.app(), () -> closeOutdatedReverts(env));
      }
      commitState = Forge.CommitState.SUCCESS;
      description =
          "Healthy: "
              + completed.replicas()
              + " pods on the new revision; "
              + Gates.verdicts(state);
    } else if (event instanceof RolloutEvent.RollbackStarted rollback) {
      commitState = Forge.CommitState.FAILURE;
      description = "rolled back: " + rollback.status();
    } else {
      if (event instanceof RolloutEvent.RolledBack && env.reverts()) {
        submit("revert of " + commit, () -> revert(env, occurrence, state));
      }
      return;
    }
    if (!env.statuses()) {
      return;
    }
    submit(
        "status of " + commit,
        () -> {
          try {
            forge.setStatus(commit, commitState, context, description, statusPage);
            log.info(
                "app={} namespace={} statefulSet={} commit={} decision=status-{}",
                env.app(),
                occurrence.namespace(),
                occurrence.name(),
                commit,
                commitState.name().toLowerCase(Locale.ROOT));
          } catch (ForgeException e) {
            log.warn(
                "app={} statefulSet={} commit={} status {} not set: {}",
                env.app(),
                occurrence.name(),
                commit,
                commitState,
                e.getMessage());
          }
        });
  }

  private void revert(Environment env, EventBus.Occurrence occurrence, RolloutState state) {
    Promoter.Outcome outcome = promoter.revert(env, occurrence.name(), state);
    log.info(
        "app={} namespace={} statefulSet={} commit={} decision=revert-{} detail=\"{}\"",
        env.app(),
        occurrence.namespace(),
        occurrence.name(),
        state.source().commit(),
        outcome.getClass().getSimpleName().toLowerCase(Locale.ROOT),
        describe(outcome));
  }

  private void submit(String what, Runnable task) {
    try {
      forgeCalls.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("{} failed: {}", what, e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      log.warn("{} dropped: the forge queue is full or closed", what);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    forgeCalls.shutdownNow();
    promoter.close();
  }
}
