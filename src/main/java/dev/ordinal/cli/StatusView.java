package dev.ordinal.cli;

import dev.ordinal.daemon.StatefulSetObserver;
import dev.ordinal.promotion.PromotionLinks;
import dev.ordinal.rollout.Annotations;
import dev.ordinal.rollout.Command;
import dev.ordinal.rollout.Health;
import dev.ordinal.rollout.Phase;
import dev.ordinal.rollout.RolloutState;
import dev.ordinal.rollout.RolloutStateFormatException;
import dev.ordinal.rollout.VerdictRecord;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Renders what {@code ordinal status} shows: a pure function of the StatefulSet, its pods and the
 * rollout state, so that the output is the same for the same objects and tests can pin it exactly.
 * ASCII only, so that it pastes anywhere.
 */
final class StatusView {

  private StatusView() {}

  /** Renders one StatefulSet, reading the rollout state from its annotation. */
  static String render(StatefulSet sts, List<Pod> pods) {
    return render(sts, pods, Optional.empty());
  }

  /**
   * Renders one StatefulSet. When {@code state} is empty the annotation is read from {@code sts},
   * so that an unreadable one is reported rather than silently ignored.
   */
  static String render(StatefulSet sts, List<Pod> pods, Optional<RolloutState> state) {
    Facts f = Facts.of(sts, pods, state);
    StringBuilder out = new StringBuilder();
    out.append("StatefulSet ").append(f.key()).append('\n');
    out.append(f.summary()).append('\n');
    out.append('\n');
    if (f.state == null) {
      if (f.stateProblem != null) {
        out.append("The rollout state annotation (")
            .append(Annotations.STATE)
            .append(") is unreadable: ")
            .append(f.stateProblem)
            .append("\nShowing what the StatefulSet itself says.\n");
      } else {
        out.append("No Ordinal rollout state is recorded on this StatefulSet (no ")
            .append(Annotations.STATE)
            .append(" annotation); showing what the StatefulSet itself says.\n");
      }
    }
    line(out, "Phase", f.phase());
    if (!f.reason().isEmpty()) {
      line(out, "Reason", f.reason());
    }
    String step = f.stepDetail();
    if (step != null) {
      line(out, "Step", step);
    }
    String origin = f.state == null ? " (controller's current revision)" : "";
    line(out, "Stable", orUnknown(f.stable) + origin);
    line(
        out,
        "Target",
        orUnknown(f.target) + (f.state == null ? " (controller's update revision)" : ""));
    line(out, "Replicas", f.replicas + " (" + f.strategyDetail() + ")");
    if (f.pods.isEmpty()) {
      line(out, "Pods", "none");
    } else {
      line(out, "Pods", f.perRevision());
      int width = f.pods.stream().mapToInt(p -> p.name.length()).max().orElse(0);
      for (PodFacts p : f.pods) {
        out.append("  ")
            .append(pad(p.name, width))
            .append("  ")
            .append(pad(p.readiness(), 11))
            .append("  ");
        out.append(f.role(p));
        if (p.restarts > 0) {
          out.append("  restarts ").append(p.restarts);
        }
        out.append('\n');
      }
    }
    if (f.state != null) {
      if (f.state.verdicts().isEmpty()) {
        line(out, "Analysis", "no verdicts recorded");
      } else {
        out.append("Analysis:\n");
        for (VerdictRecord v : f.state.verdicts()) {
          out.append("  ").append(v).append('\n');
        }
      }
      if (!f.state.failedRevisions().isEmpty()) {
        line(
            out,
            "Failed",
            String.join(", ", f.state.failedRevisions())
                + " (not retried until Git changes or 'ordinal retry')");
      }
    }
    PromotionLinks.pendings(f.annotations).forEach(p -> line(out, "Promoting", promoting(p)));
    PromotionLinks.merged(f.annotations).ifPresent(m -> line(out, "Promoted", promoted(m)));
    line(out, "Commands", f.commands());
    return out.toString();
  }

  /** A promotion pull request open into this StatefulSet, in one line. */
  static String promoting(PromotionLinks.Pending pending) {
    return source(pending.source()) + ", pull request #" + pending.pullRequest() + " open";
  }

  /** The merged promotion recorded on a StatefulSet and the rollout it started, in one line. */
  static String promoted(PromotionLinks.Merged merged) {
    return source(merged.source())
        + ", pull request #"
        + merged.pullRequest()
        + " merged as "
        + shortCommit(merged.mergeCommit())
        + (merged.rollout() == null
            ? "; no rollout of it yet"
            : "; rollout "
                + merged.rollout().rollout()
                + " of "
                + shortCommit(merged.rollout().commit()));
  }

  private static String source(PromotionLinks.Source source) {
    return "from "
        + source.app()
        + " "
        + source.statefulSet()
        + "@"
        + shortCommit(source.commit())
        + " by "
        + source.promotion();
  }

  private static String shortCommit(String commit) {
    return commit.length() <= 12 ? commit : commit.substring(0, 12);
  }

  /**
   * The one-line live progress summary, e.g. {@code Progressing step 2/5 canary 2/5 pods updated, 2
   * ready (partition 3)}.
   */
  static String summary(StatefulSet sts, List<Pod> pods, Optional<RolloutState> state) {
    return Facts.of(sts, pods, state).summary();
  }

  /** A table of several StatefulSets, one line each; {@code podsOf} gives each one's pods. */
  static String table(List<StatefulSet> sets, Function<StatefulSet, List<Pod>> podsOf) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "NAME", "PHASE", "STEP", "UPDATED", "READY", "PARTITION", "STABLE", "TARGET", "COMMANDS"
        });
    List<StatefulSet> sorted = new ArrayList<>(sets);
    sorted.sort(Comparator.comparing(s -> s.getMetadata().getName()));
    for (StatefulSet sts : sorted) {
      Facts f = Facts.of(sts, podsOf.apply(sts), Optional.empty());
      String step = f.stepShort();
      rows.add(
          new String[] {
            f.name,
            f.state == null ? (f.stateProblem != null ? "unreadable-state" : f.phase()) : f.phase(),
            step == null ? "-" : step,
            f.updated() + "/" + f.replicas,
            f.updatedReady() + "/" + f.replicas,
            f.onDelete ? "OnDelete" : String.valueOf(f.partition),
            orUnknown(f.stable),
            orUnknown(f.target),
            f.pending.isEmpty()
                ? "-"
                : String.join(",", f.pending.stream().map(Command::displayName).toList())
          });
    }
    return Tables.render(rows);
  }

  // ------------------------------------------------------------------ facts

  /** What the view needs, derived once from the objects. */
  private static final class Facts {
    String namespace;
    String name;
    int replicas;
    boolean onDelete;
    int partition;
    String currentRevision;
    String updateRevision;
    RolloutState state;
    String stateProblem;

    /** The StatefulSet's own health, as the engine reads it; null before it has revisions. */
    Health health;

    String stable;
    String target;
    List<PodFacts> pods = new ArrayList<>();
    List<Command> pending = new ArrayList<>();
    Map<String, String> annotations = Map.of();

    static Facts of(StatefulSet sts, List<Pod> pods, Optional<RolloutState> given) {
      Facts f = new Facts();
      f.namespace = sts.getMetadata().getNamespace();
      f.name = sts.getMetadata().getName();
      if (sts.getMetadata().getAnnotations() != null) {
        f.annotations = sts.getMetadata().getAnnotations();
      }
      StatefulSetSpec spec = sts.getSpec();
      f.replicas = spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
      var strategy = spec == null ? null : spec.getUpdateStrategy();
      f.onDelete = strategy != null && "OnDelete".equals(strategy.getType());
      f.partition = StatefulSetObserver.partition(sts);
      f.health = StatefulSetObserver.view(sts).map(Health::of).orElse(null);
      StatefulSetStatus status = sts.getStatus();
      f.currentRevision = status == null ? null : status.getCurrentRevision();
      f.updateRevision = status == null ? null : status.getUpdateRevision();
      if (given.isPresent()) {
        f.state = given.get();
      } else {
        Optional<String> json = Annotations.state(f.annotations);
        if (json.isPresent()) {
          try {
            f.state = RolloutState.fromJson(json.get());
          } catch (RolloutStateFormatException e) {
            f.stateProblem = e.getMessage();
          }
        }
      }
      f.stable = f.state != null ? f.state.stableRevision() : f.currentRevision;
      f.target = f.state != null ? f.state.targetRevision() : f.updateRevision;
      for (Pod pod : pods) {
        f.pods.add(PodFacts.of(pod));
      }
      f.pods.sort(Comparator.comparingInt((PodFacts p) -> p.ordinal).thenComparing(p -> p.name));
      f.pending.addAll(Annotations.commands(f.annotations));
      return f;
    }

    String key() {
      return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    int updated() {
      return (int)
          pods.stream()
              .filter(p -> !p.terminating && p.revision != null && p.revision.equals(target))
              .count();
    }

    int updatedReady() {
      return (int)
          pods.stream()
              .filter(p -> p.available() && p.revision != null && p.revision.equals(target))
              .count();
    }

    int onStable() {
      return (int)
          pods.stream()
              .filter(p -> !p.terminating && p.revision != null && p.revision.equals(stable))
              .count();
    }

    int stableReady() {
      return (int)
          pods.stream()
              .filter(p -> p.available() && p.revision != null && p.revision.equals(stable))
              .count();
    }

    int ready() {
      return (int) pods.stream().filter(PodFacts::available).count();
    }

    boolean allReady() {
      return pods.size() == replicas && ready() == replicas;
    }

    String phase() {
      if (state != null) {
        return state.phase().displayName();
      }
      return health == null ? "Unknown" : health.status().displayName();
    }

    String reason() {
      if (state != null) {
        return state.reason();
      }
      return health == null
          ? "the StatefulSet controller has not reported revisions yet"
          : health.message();
    }

    boolean stepping() {
      return state != null && state.phase().stepping();
    }

    boolean fullPromotion() {
      return stepping() && state.fullPromotion();
    }

    /** The step count the state records; null when an older Ordinal did not record it. */
    Integer stepCount() {
      return state.stepCount() > 0 ? state.stepCount() : null;
    }

    /** {@code 2/5}, {@code 2/?} or {@code full}; null when no rollout is stepping. */
    String stepShort() {
      if (!stepping()) {
        return null;
      }
      if (fullPromotion()) {
        return "full";
      }
      Integer n = stepCount();
      return (state.stepIndex() + 1) + "/" + (n == null ? "?" : n);
    }

    String stepDetail() {
      if (!stepping()) {
        return null;
      }
      if (fullPromotion()) {
        return "full promotion (all steps done)";
      }
      Integer n = stepCount();
      return (state.stepIndex() + 1)
          + " of "
          + (n == null ? "? (the number of steps is not recorded in the rollout state)" : n);
    }

    String strategyDetail() {
      return onDelete ? "OnDelete" : "RollingUpdate, partition " + partition;
    }

    String summary() {
      StringBuilder s = new StringBuilder(phase());
      String step = stepShort();
      if (step != null) {
        s.append("  ").append(fullPromotion() ? "full promotion" : "step " + step);
      }
      s.append("  ");
      if (state != null
          && (state.phase() == Phase.DEGRADED || state.phase() == Phase.ROLLED_BACK)) {
        s.append(onStable())
            .append('/')
            .append(replicas)
            .append(" pods on stable, ")
            .append(stableReady())
            .append(" ready");
      } else {
        if (step != null && !fullPromotion()) {
          s.append("canary ");
        }
        s.append(updated())
            .append('/')
            .append(replicas)
            .append(" pods updated, ")
            .append(updatedReady())
            .append(" ready");
      }
      s.append("  (").append(onDelete ? "OnDelete" : "partition " + partition).append(')');
      if (state == null) {
        s.append(
            stateProblem != null ? "  [rollout state unreadable]" : "  [no Ordinal rollout state]");
      }
      return s.toString();
    }

    String role(PodFacts p) {
      if (p.revision == null) {
        return "revision unknown";
      }
      if (p.revision.equals(target) && !p.revision.equals(stable)) {
        return "new";
      }
      if (p.revision.equals(stable)) {
        return "stable";
      }
      return "other revision " + p.revision;
    }

    /** Pods per revision with readiness: {@code 3 stable (3 ready), 2 new (1 ready)}. */
    String perRevision() {
      Map<String, int[]> groups = new LinkedHashMap<>();
      groups.put("stable", new int[2]);
      groups.put("new", new int[2]);
      for (PodFacts p : pods) {
        String role = role(p);
        int[] g =
            groups.computeIfAbsent(
                role.startsWith("other revision ") ? "on " + p.revision : role, k -> new int[2]);
        g[0]++;
        if (p.available()) {
          g[1]++;
        }
      }
      List<String> parts = new ArrayList<>();
      groups.forEach(
          (role, g) -> {
            if (g[0] > 0) {
              parts.add(g[0] + " " + role + " (" + g[1] + " ready)");
            }
          });
      return String.join(", ", parts);
    }

    String commands() {
      if (pending.isEmpty()) {
        return "none pending";
      }
      List<String> parts = new ArrayList<>();
      for (Command c : pending) {
        String at = annotations.get(Annotations.commandKey(c));
        parts.add(c.displayName() + (at == null || at.isBlank() ? "" : " (requested " + at + ")"));
      }
      return String.join(", ", parts) + "; Ordinal acts at its next decision";
    }
  }

  private static final class PodFacts {
    String name;
    int ordinal;
    String revision;
    boolean ready;
    boolean terminating;
    int restarts;

    static PodFacts of(Pod pod) {
      PodFacts p = new PodFacts();
      p.name = pod.getMetadata().getName();
      p.ordinal = ordinal(p.name);
      // The one reading of a pod's revision, readiness and restarts, shared with the engine.
      StatefulSetObserver.podView(pod)
          .ifPresent(
              view -> {
                p.revision = view.revision().isEmpty() ? null : view.revision();
                p.ready = view.ready();
                p.terminating = view.terminating();
                p.restarts = view.restartCount();
              });
      return p;
    }

    boolean available() {
      return ready && !terminating;
    }

    String readiness() {
      return terminating ? "terminating" : ready ? "ready" : "not ready";
    }
  }

  /** The ordinal at the end of a StatefulSet pod's name, or MAX_VALUE. */
  static int ordinal(String podName) {
    int dash = podName.lastIndexOf('-');
    try {
      return Integer.parseInt(podName.substring(dash + 1));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static void line(StringBuilder out, String label, String value) {
    out.append(pad(label + ":", 12)).append(value).append('\n');
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static String orUnknown(String s) {
    return s == null || s.isEmpty() ? "unknown" : s;
  }
}
