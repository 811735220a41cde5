package dev.ordinal.daemon;

import dev.ordinal.analysis.AnalysisRuns;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.rollout.RolloutSpec;
import dev.ordinal.rollout.RolloutSpecs;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which app governs a StatefulSet, and so whose rollout policy and analysis templates apply: the
 * app that applied it (its inventory label), or — for a StatefulSet another tool applied — an app
 * of its namespace. One app's policies never govern another app's StatefulSets. Policies and
 * templates come from the revision each app last applied.
 */
public final class AppRegistry {

  /** An app as the registry sees it: its name, namespace and the state in force. */
  public interface AppView {
    String app();

    String namespace();

    Optional<DesiredState> lastApplied();
  }

  /** The answer for one StatefulSet. */
  public sealed interface Governing {
    /** Rolled out by {@code spec}, from {@code app}'s policy. */
    record ByApp(String app, RolloutSpec spec) implements Governing {}

    /** Ordinal leaves it alone; {@code why} says so for logs and status. */
    record None(String why) implements Governing {}
  }

  private final List<? extends AppView> apps;

  public AppRegistry(List<? extends AppView> apps) {
    this.apps = List.copyOf(apps);
  }

  /** Who governs {@code sts}. */
  public Governing governing(StatefulSet sts) {
    Map<String, String> labels = sts.getMetadata().getLabels();
    String owner = labels == null ? null : labels.get(PlanOptions.APP_LABEL);
    List<String> problems = new ArrayList<>();
    for (AppView app : apps) {
      boolean candidate =
          owner != null
              ? app.app().equals(owner)
              : app.namespace().equals(sts.getMetadata().getNamespace());
      Optional<DesiredState> state = candidate ? app.lastApplied() : Optional.empty();
      if (state.isEmpty()) {
        continue;
      }
      DesiredState.Governance governance = state.get().governance(sts);
      if (governance instanceof DesiredState.Governance.Governed governed) {
        return new Governing.ByApp(app.app(), RolloutSpecs.from(governed.policy()));
      }
      if (!(governance instanceof DesiredState.Governance.Ungoverned)) {
        // e.g. it names a policy this app does not define: another app of the namespace may
        problems.add(app.app() + ": " + governance.problem());
      }
    }
    if (!problems.isEmpty()) {
      return new Governing.None(String.join("; ", problems));
    }
    return new Governing.None(
        owner != null
            ? "app " + owner + " has no rollout policy for it"
            : "no app of namespace " + sts.getMetadata().getNamespace() + " has a policy for it");
  }

  /** The rollout spec of {@code sts}, empty when Ordinal leaves it alone. */
  public Optional<RolloutSpec> spec(StatefulSet sts) {
    return governing(sts) instanceof Governing.ByApp byApp
        ? Optional.of(byApp.spec())
        : Optional.empty();
  }

  /**
   * An analysis template for a rollout: from the app that applied the StatefulSet, else from the
   * apps of its namespace, else from any app. Two apps may each define a template of one name.
   */
  public Optional<AnalysisTemplate> template(String name, AnalysisRuns.RolloutContext rollout) {
    List<AppView> owners = new ArrayList<>();
    List<AppView> sameNamespace = new ArrayList<>();
    for (AppView app : apps) {
      Optional<DesiredState> state = app.lastApplied();
      if (state.isEmpty() || !app.namespace().equals(rollout.namespace())) {
        continue;
      }
      boolean applied =
          state.get().statefulSets().stream()
              .anyMatch(o -> o.resource().getMetadata().getName().equals(rollout.statefulSet()));
      (applied ? owners : sameNamespace).add(app);
    }
    List<AppView> order = new ArrayList<>(owners);
    order.addAll(sameNamespace);
    order.addAll(apps);
    for (AppView app : order) {
      Optional<AnalysisTemplate> template =
          app.lastApplied().map(state -> state.templates().get(name));
      if (template.isPresent()) {
        return template;
      }
    }
    return Optional.empty();
  }
}
