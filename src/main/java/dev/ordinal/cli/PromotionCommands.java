package dev.ordinal.cli;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.daemon.DaemonConfig;
import dev.ordinal.daemon.Promotions;
import dev.ordinal.daemon.Workloads;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.GitWorkspace;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.manifest.Escapes;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.promotion.Environment;
import dev.ordinal.promotion.Forge;
import dev.ordinal.promotion.ForgeException;
import dev.ordinal.promotion.Promoter;
import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.RolloutState;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ordinal promotions list} and {@code ordinal promote-env}. */
final class PromotionCommands {
  private PromotionCommands() {}

  /** The source StatefulSets of a rule: those its source app applied (the inventory label). */
  static List<StatefulSet> sources(KubeAccess access, DaemonConfig config, Promoter.Rule rule) {
    return statefulSetsOf(access, config, rule.from().app());
  }

  /** The StatefulSets app {@code app} applied, by the inventory label. */
  static List<StatefulSet> statefulSetsOf(KubeAccess access, DaemonConfig config, String app) {
    String namespace =
        config.apps().stream()
            .filter(a -> a.name().equals(app))
            .findFirst()
            .orElseThrow()
            .namespace();
    return access.statefulSets(namespace).stream()
        .filter(
            s ->
                s.getMetadata().getLabels() != null
                    && app.equals(s.getMetadata().getLabels().get(PlanOptions.APP_LABEL)))
        .toList();
  }

  /**
   * What the target StatefulSet of the same name records about this rule's promotions: the merged
   * one and the rollout it started, else the open pull request, else "-".
   */
  private static String recorded(Promoter.Rule rule, List<StatefulSet> targets, String name) {
    for (StatefulSet target : targets) {
      if (!target.getMetadata().getName().equals(name)) {
        continue;
      }
      Map<String, String> annotations =
          target.getMetadata().getAnnotations() == null
              ? Map.of()
              : target.getMetadata().getAnnotations();
      Optional<PromotionLinks.Pending> pending = PromotionLinks.pending(annotations, rule.name());
      Optional<PromotionLinks.Merged> merged =
          PromotionLinks.merged(annotations)
              .filter(m -> m.source().promotion().equals(rule.name()));
      if (merged.isPresent()) {
        return StatusView.promoted(merged.get())
            + pending.map(p -> " (#" + p.pullRequest() + " open)").orElse("");
      }
      if (pending.isPresent()) {
        return StatusView.promoting(pending.get());
      }
    }
    return "-";
  }

  @Command(
      name = "promotions",
      header = "Promotions between environments, as the daemon config defines them.",
      description = {
        "Promotions between environments, as the daemon config defines them: 'ordinal promotions"
            + " list' shows each rule's source StatefulSets with their commit, gate and pull request."
      },
      subcommands = {ListPromotions.class},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"2:no subcommand given"})
  static final class Group implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "a subcommand is required: list");
    }
  }

  @Command(
      name = "list",
      header = "List each promotion rule's source StatefulSets with commit, gate and pull request.",
      description = {
        "For every promotion rule and source StatefulSet: the commit, the gate, the pull"
            + " request for it on the forge, and what the target StatefulSet records: the last"
            + " merged promotion, its merge commit and the target rollout that ran it."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:listed",
        "2:usage error, an invalid config, or the cluster is unreachable"
      })
  static final class ListPromotions implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "The daemon's config file.")
    Path configFile;

    @Mixin ClusterOptions cluster;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Optional<DaemonConfig> loaded = loadConfig(configFile, err);
      if (loaded.isEmpty()) {
        return 2;
      }
      DaemonConfig config = loaded.get();
      if (config.promotionsOrEmpty().isEmpty()) {
        err.println(
            Text.escaped(configFile.toString())
                + " defines no promotions (promotions: in the config; see README.md,"
                + " \"Promotions\"): nothing to list");
        return 0;
      }
      try (KubeAccess access = cluster.connect()) {
        Map<String, Environment> envs = Promotions.environments(config);
        // Rows are printed once all are known, so that a failure midway leaves no half table.
        StringBuilder table = new StringBuilder();
        int rows = 0;
        table.append(
            String.format(
                "%-20s %-16s %-12s %-40s %-50s %s%n",
                "PROMOTION", "STATEFULSET", "COMMIT", "GATE", "PULL REQUEST", "TARGET"));
        for (Promoter.Rule rule : Promotions.rules(config, envs)) {
          List<StatefulSet> targets = statefulSetsOf(access, config, rule.to().app());
          for (StatefulSet sts : sources(access, config, rule)) {
            rows++;
            String commit = Promoter.state(sts).map(s -> s.source().commit()).orElse("");
            String gate =
                Promotions.describe(
                    new Promoter.Outcome.Gated(Promoter.gate(rule, sts, Instant.now(), false)));
            String pr = "-";
            Optional<Forge> forge = rule.to().forge();
            if (!commit.isEmpty() && forge.isPresent() && !rule.push()) {
              try {
                pr =
                    forge
                        .get()
                        .pullRequests(
                            rule.to().branch(),
                            Promoter.branch(rule, sts.getMetadata().getName(), commit),
                            true)
                        .stream()
                        .findFirst()
                        .map(
                            p ->
                                "#"
                                    + p.number()
                                    + " "
                                    + (p.merged() ? "merged" : p.open() ? "open" : "closed")
                                    + " "
                                    + p.url())
                        .orElse("none");
              } catch (ForgeException e) {
                pr = "unknown: " + e.getMessage();
              }
            }
            table.append(
                String.format(
                    "%-20s %-16s %-12s %-40s %-50s %s%n",
                    rule.name(),
                    sts.getMetadata().getName(),
                    commit.isEmpty()
                        ? "-"
                        : Text.escaped(commit.substring(0, Math.min(12, commit.length()))),
                    // the gate quotes the rollout state's reason, the others the target's
                    // annotations and the forge: all text others wrote
                    Text.escaped(gate),
                    Text.escaped(pr),
                    Text.escaped(recorded(rule, targets, sts.getMetadata().getName()))));
          }
        }
        out.print(table);
        if (rows == 0) {
          err.println(
              "no StatefulSet of any promotion's source app (label "
                  + PlanOptions.APP_LABEL
                  + " in the app's namespace): nothing to list");
        }
        out.flush();
        return 0;
      } catch (GitSourceException | ClusterException e) {
        err.println(Escapes.controlsPerLine(e.getMessage()));
        return 2;
      }
    }
  }

  @Command(
      name = "promote-env",
      header =
          "Promote app SOURCE's verified StatefulSets to app TARGET now, behind the same gates.",
      description = {
        "Promote the verified StatefulSets of app SOURCE to app TARGET now, by every promotion"
            + " rule between them in the daemon config (or the one --promotion names), behind the"
            + " same gates; --force skips the soak time, the freeze windows and a user-accepted"
            + " inconclusive analysis, never a failed one. Each line names the rule and the"
            + " StatefulSet. A pull request it opens or finds is recorded on the target"
            + " StatefulSet, as the daemon records its own."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:promoted, or nothing to do",
        "1:held by a gate, or the promotion failed",
        "2:usage error, an invalid config, or the cluster is unreachable"
      })
  static final class PromoteEnv implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "The source app (environment).")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET", description = "The target app (environment).")
    String target;

    @Option(names = "--force", description = "Skip soak, freeze and inconclusive gates.")
    boolean force;

    @Option(
        names = "--promotion",
        paramLabel = "NAME",
        description =
            "Only the promotion rule of this name (default: every rule from SOURCE to TARGET).")
    String promotion;

    @Option(
        names = "--config",
        required = true,
        paramLabel = "FILE",
        description = "The daemon's config file.")
    Path configFile;

    @Mixin ClusterOptions cluster;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Optional<DaemonConfig> loaded = loadConfig(configFile, err);
      if (loaded.isEmpty()) {
        return 2;
      }
      DaemonConfig config = loaded.get();
      List<Promoter.Rule> between;
      try {
        between =
            Promotions.rules(config, Promotions.environments(config)).stream()
                .filter(r -> r.from().app().equals(source) && r.to().app().equals(target))
                .toList();
      } catch (GitSourceException e) {
        err.println(Escapes.controlsPerLine(e.getMessage()));
        return 2;
      }
      List<Promoter.Rule> rules =
          between.stream().filter(r -> promotion == null || r.name().equals(promotion)).toList();
      if (rules.isEmpty()) {
        err.println(
            Text.escaped(configFile.toString())
                + ": no promotion"
                + (promotion == null ? "" : " named " + Text.quoted(promotion))
                + " from "
                + Text.quoted(source)
                + " to "
                + Text.quoted(target)
                + (between.isEmpty() || promotion == null
                    ? "; add one under promotions:"
                    : "; the promotions between them: "
                        + String.join(", ", between.stream().map(Promoter.Rule::name).toList())));
        return 2;
      }
      try (KubeAccess access = cluster.connect()) {
        DaemonConfig.Person author = config.commitAuthorOrDefault();
        DaemonConfig.Person committer = config.committerOrDefault();
        int code = 0;
        int promoted = 0;
        try (Promoter promoter =
            new Promoter(
                new GitRepoCache(gitCache(System.getenv(), System.getProperty("user.home"))),
                config.maxFetchBytesOrDefault(),
                new GitWorkspace.Authorship(
                    author.name(), author.email(), committer.name(), committer.email()),
                new ManifestLoader(ConditionGrammar.INSTANCE, config.analysisTrust()))) {
          for (Promoter.Rule rule : rules) {
            List<StatefulSet> targets =
                rule.push() ? List.of() : statefulSetsOf(access, config, rule.to().app());
            for (StatefulSet sts : sources(access, config, rule)) {
              promoted++;
              Promoter.Outcome outcome = promoter.promote(rule, sts, Instant.now(), force);
              String recorded = watch(access, rule, sts, targets, outcome);
              out.println(
                  rule.name()
                      + "/"
                      + sts.getMetadata().getName()
                      + ": "
                      + Text.escaped(Promotions.describe(outcome))
                      + recorded);
              if (outcome instanceof Promoter.Outcome.Gated
                  || outcome instanceof Promoter.Outcome.Failed) {
                code = 1;
              }
            }
          }
        }
        if (promoted == 0) {
          err.println(
              "no StatefulSet of app "
                  + Text.quoted(source)
                  + " (label "
                  + PlanOptions.APP_LABEL
                  + "="
                  + Text.escaped(source)
                  + " in its namespace): nothing to promote");
        }
        out.flush();
        return code;
      } catch (ClusterException e) {
        err.println(Escapes.controlsPerLine(e.getMessage()));
        return 2;
      }
    }

    /**
     * Records a pull request the promotion opened or found on the target StatefulSet of the same
     * name, as the daemon does, so that its merge is followed even when the daemon's own gate is
     * closed (a --force past a freeze); what to add to the line about it.
     */
    private static String watch(
        KubeAccess access,
        Promoter.Rule rule,
        StatefulSet sts,
        List<StatefulSet> targets,
        Promoter.Outcome outcome) {
      Optional<Forge.PullRequest> pr = Promotions.pullRequest(outcome);
      Optional<StatefulSet> twin =
          targets.stream()
              .filter(t -> t.getMetadata().getName().equals(sts.getMetadata().getName()))
              .findFirst();
      Optional<RolloutState> state = Promoter.state(sts);
      if (pr.isEmpty() || twin.isEmpty() || state.isEmpty()) {
        return "";
      }
      Map<String, String> annotations =
          twin.get().getMetadata().getAnnotations() == null
              ? Map.of()
              : twin.get().getMetadata().getAnnotations();
      Optional<PromotionLinks.Write> write =
          PromotionLinks.watch(
              annotations,
              new PromotionLinks.Source(
                  rule.name(),
                  rule.from().app(),
                  sts.getMetadata().getName(),
                  state.get().source().commit()),
              pr.get());
      if (write.isEmpty()) {
        return "";
      }
      Workloads.WriteResult result;
      try {
        result =
            access
                .cluster()
                .write(
                    twin.get(),
                    new Workloads.RolloutWrite(null, write.get().set(), write.get().remove()));
      } catch (RuntimeException e) {
        // The pull request is open whatever happens here: say so, and go on with the next.
        Optional<ClusterException> why = access.explainClientFailure(e);
        if (why.isEmpty()) {
          throw e;
        }
        return "; not recorded on the target: " + Text.escaped(why.get().getMessage());
      }
      return result instanceof Workloads.WriteResult.Written
          ? "; recorded on the target"
          : "; not recorded on the target, which changed meanwhile: run it again to record it";
    }
  }

  /**
   * Where the command line keeps its clones: the user's own cache folder ({@code
   * $XDG_CACHE_HOME/ordinal}, else {@code ~/.cache/ordinal}), not the config's {@code dataDir},
   * which is the daemon's folder in its pod, nor its default under the shared temporary folder,
   * where another user of the machine could create it first and own the clone's Git config.
   */
  static Path gitCache(Map<String, String> env, String home) {
    String xdg = env.get("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
            ? Path.of(xdg)
            : Path.of(home, ".cache");
    return base.resolve("ordinal").resolve("promotion-git");
  }

  /**
   * The config, read before the cluster is asked anything: its errors are the user's to fix
   * whatever the cluster says. Empty after printing why it cannot be used.
   */
  private static Optional<DaemonConfig> loadConfig(Path file, PrintWriter err) {
    try {
      return Optional.of(DaemonConfig.load(file));
    } catch (DaemonConfig.ConfigException e) {
      err.println(e.getMessage());
      return Optional.empty();
    }
  }
}
