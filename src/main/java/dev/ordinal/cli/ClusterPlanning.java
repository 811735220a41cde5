package dev.ordinal.cli;

import dev.ordinal.analysis.condition.ConditionGrammar;
import dev.ordinal.daemon.AppSync;
import dev.ordinal.daemon.LiveObjects;
import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import dev.ordinal.kube.KubeCluster;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ManifestObject;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.plan.PlanOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code diff} and {@code plan} share, as a picocli mixin: where the manifests are, how to
 * reach the cluster, the app name; and reading, connecting and planning with them.
 */
final class ClusterPlanning {
  @Mixin SourceOptions source;
  @Mixin ClusterOptions cluster;

  @Option(
      names = "--app",
      paramLabel = "NAME",
      description =
          "The app's name in Ordinal's config, which its objects carry as the inventory label"
              + " ordinal.dev/app (default: the one the live objects carry).")
  String app;

  /** A plan, or the exit code (2) after the reason was printed to stderr. */
  record Outcome(AppSync.Planned planned, int exitCode) {}

  Outcome plan(CommandLine.Model.CommandSpec spec, boolean prune) {
    String problem = source.usageProblem();
    if (problem != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), problem);
    }
    PrintWriter err = spec.commandLine().getErr();
    EarlyConnection connection = EarlyConnection.start(cluster);
    // One loader for both reads: the plan below finds every file parsed and checked already.
    ManifestLoader loader = new ManifestLoader(ConditionGrammar.INSTANCE);
    SourceTree tree;
    List<HasMetadata> desired;
    try {
      tree = read(err);
      desired = tree == null ? null : loaded(loader, tree, err);
    } catch (RuntimeException e) {
      connection.abandon();
      throw e;
    }
    if (desired == null) {
      connection.abandon();
      return new Outcome(null, 2);
    }
    try (KubeAccess access = connection.get()) {
      try {
        String namespace = cluster.namespace(access);
        KubeCluster live = access.cluster();
        LiveObjects liveObjects = live;
        String name = app;
        if (name == null) {
          Map<ObjectKey, LiveObjects.Live> found = live.lookup(desired, namespace);
          name = appOf(found, err);
          if (name == null) {
            return new Outcome(null, 2);
          }
          Set<ObjectKey> asked = new HashSet<>();
          desired.forEach(object -> asked.add(ObjectKey.of(object, namespace)));
          liveObjects = new RememberedLookup(live, asked, found);
        }
        AppSync sync = new AppSync(name, namespace, prune, loader, liveObjects);
        AppSync.Planned planned = sync.plan(tree);
        if (planned.invalid() != null) {
          planned.invalid().errors().forEach(err::println);
          return new Outcome(null, 2);
        }
        return new Outcome(planned, 0);
      } catch (RuntimeException e) {
        throw access.explain(e);
      }
    } catch (ClusterException e) {
      err.println(e.getMessage());
      return new Outcome(null, 2);
    }
  }

  /** The manifests' tree; null after saying why it cannot be read. */
  private SourceTree read(PrintWriter err) {
    try {
      return source.read();
    } catch (SourceOptions.SourceException e) {
      err.println(e.getMessage());
      return null;
    }
  }

  /** The objects {@code tree} declares; null after printing what is wrong with them. */
  private static List<HasMetadata> loaded(ManifestLoader loader, SourceTree tree, PrintWriter err) {
    LoadResult loaded = loader.load(tree);
    if (loaded instanceof LoadResult.Invalid invalid) {
      invalid.errors().forEach(err::println);
      return null;
    }
    return ((LoadResult.Loaded) loaded)
        .state().objects().stream().map(ManifestObject::resource).toList();
  }

  /**
   * The app the live objects belong to, by their inventory label, so that a diff never shows a
   * label change the daemon would not make; null, after saying why, when they name none or several.
   */
  private static String appOf(Map<?, LiveObjects.Live> live, PrintWriter err) {
    TreeSet<String> apps = new TreeSet<>();
    for (LiveObjects.Live object : live.values()) {
      Map<String, String> labels = object.object().getMetadata().getLabels();
      if (labels != null && labels.get(PlanOptions.APP_LABEL) != null) {
        apps.add(labels.get(PlanOptions.APP_LABEL));
      }
    }
    if (apps.size() == 1) {
      return apps.first();
    }
    if (apps.isEmpty()) {
      err.println(
          (live.isEmpty()
                  ? "none of these objects exists in the cluster yet"
                  : "none of the live objects carries the label " + PlanOptions.APP_LABEL)
              + ", so the app they belong to is unknown; name it with --app NAME (its name in"
              + " Ordinal's config), which the diff then shows as that label");
    } else {
      err.println(
          "the live objects belong to several apps ("
              + String.join(", ", apps.stream().map(Text::quoted).toList())
              + ", by their label "
              + PlanOptions.APP_LABEL
              + "); name the one to diff with --app NAME");
    }
    return null;
  }
}
