package dev.ordinal.rollout;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The dry-run of a rollout that users paste into a pull-request review: every step with the pods it
 * moves, the deadline, background analyses and how a rollback would go. Markdown, and stable for
 * the same input so reviews diff cleanly.
 */
public final class RolloutPreview {

  private RolloutPreview() {}

  /**
   * Renders the plan.
   *
   * @param strategy the StatefulSet's update strategy as Kubernetes spells it ({@code
   *     RollingUpdate}, {@code OnDelete}) or as the {@link UpdateStrategy} constant
   */
  public static String render(
      RolloutSpec spec, String namespace, String name, int replicas, String strategy) {
    UpdateStrategy kind = parseStrategy(strategy);
    boolean onDelete = kind == UpdateStrategy.ON_DELETE;
    // Names and analysis arguments come from Git and are echoed into Markdown a forge renders.
    String key =
        escapeMarkdown(namespace == null || namespace.isEmpty() ? name : namespace + "/" + name);
    StringBuilder out = new StringBuilder();
    out.append("### Rollout plan for ")
        .append(key)
        .append(" (")
        .append(replicas)
        .append(replicas == 1 ? " replica, " : " replicas, ")
        .append(onDelete ? "OnDelete" : "RollingUpdate")
        .append(")\n\n");

    int moved = 0; // pods on the new revision after the previous step: the highest ordinals
    int n = 1;
    for (Step step : spec.steps()) {
      out.append(n++).append(". ");
      if (step instanceof Step.Canary) {
        Step.Canary c = (Step.Canary) step;
        int count = c.canaryCount(replicas);
        out.append(
                c.replicas() == null
                    ? "canary " + c.percent() + "% (" + plural(count, "pod") + ")"
                    : c.replicas() > count
                        // a policy shared by StatefulSets of several sizes asks more than this one
                        // has
                        ? "canary "
                            + plural(count, "pod")
                            + " ("
                            + c.replicas()
                            + " asked, all there are)"
                        : "canary " + plural(count, "pod"))
            .append(": ");
        out.append(movement(name, replicas, moved, Math.max(moved, count), onDelete, false));
        moved = Math.max(moved, count);
      } else if (step instanceof Step.Pause) {
        Step.Pause p = (Step.Pause) step;
        out.append(
            p.duration()
                .map(d -> "pause " + RolloutEngine.human(d))
                .orElse("pause until 'ordinal promote " + key + "'"));
      } else {
        out.append("analysis ")
            .append(refs(((Step.Analysis) step).templates()))
            .append(" — waits for verdict");
      }
      out.append('\n');
    }
    out.append(n)
        .append(". full promotion: ")
        .append(movement(name, replicas, moved, replicas, onDelete, true))
        .append('\n');

    out.append("\nProgress deadline: ")
        .append(RolloutEngine.human(spec.progressDeadline()))
        .append(
            " without a pod becoming updated and Ready at a canary step or full promotion →"
                + " rollback.\n");
    if (!spec.backgroundAnalysis().isEmpty()) {
      out.append("Background analysis: ")
          .append(refs(spec.backgroundAnalysis()))
          .append(" — runs for the whole rollout; a failure at any step → rollback.\n");
    }
    out.append("Crash loop: a pod on the new revision restarting ")
        .append(RolloutEngine.CRASH_LOOP_RESTARTS)
        .append(" times → rollback at once.\n");
    if (onDelete) {
      out.append(
              "Rollback: no further pods are deleted; OnDelete recreates pods from the template, so"
                  + " pods on the new revision")
          .append(" return to the stable revision only once the change is reverted in Git.\n");
    } else {
      out.append("Rollback: partition → ")
          .append(replicas)
          .append(" (hold), then pods on the new revision are deleted one at a time,")
          .append(
              " highest ordinal first, each after the previous one is back and Ready on the stable"
                  + " revision.\n");
    }
    out.append("A failed revision is not retried until Git changes or 'ordinal retry ")
        .append(key)
        .append("'.\n");
    return out.toString();
  }

  private static String movement(
      String name, int replicas, int before, int after, boolean onDelete, boolean full) {
    if (after <= before) {
      return "no further pods" + (onDelete ? "" : " (partition stays " + (replicas - before) + ")");
    }
    String pods =
        RolloutEngine.podRange(escapeMarkdown(name), replicas - before - 1, replicas - after);
    if (onDelete) {
      return after - before == 1
          ? "delete " + pods + "; it comes back on the new revision"
          : "delete " + pods + " one at a time; each comes back on the new revision";
    }
    if (full) {
      return pods + " (partition → " + (replicas - after) + ")";
    }
    return pods
        + " → new revision (partition "
        + (replicas - before)
        + " → "
        + (replicas - after)
        + ")";
  }

  private static String refs(List<AnalysisRef> refs) {
    return refs.stream()
        .map(
            r ->
                r.args().isEmpty()
                    ? escapeMarkdown(r.templateName())
                    : escapeMarkdown(r.templateName())
                        + " (args "
                        + r.args().entrySet().stream()
                            .map(e -> escapeMarkdown(e.getKey() + "=" + e.getValue()))
                            .collect(Collectors.joining(", "))
                        + ")")
        .collect(Collectors.joining(", "));
  }

  /**
   * {@code text} with every character that Markdown (as GitHub, GitLab and Gitea render it) could
   * read as emphasis, code, a link, HTML, a table cell, a heading or a mention escaped by a
   * backslash, so that a value from Git reads as itself; line breaks become spaces. Letters,
   * digits, '-', '.' and '/', all a Kubernetes name holds, are left alone.
   */
  public static String escapeMarkdown(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ("\\`*_{}[]<>()#+!|~&@".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c == '\n' || c == '\r' ? ' ' : c);
    }
    return out.toString();
  }

  private static String plural(int count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  private static UpdateStrategy parseStrategy(String strategy) {
    String s = strategy == null ? "" : strategy.trim().replace("_", "").toLowerCase(Locale.ROOT);
    switch (s) {
      case "":
      case "rollingupdate":
        return UpdateStrategy.ROLLING_UPDATE;
      case "ondelete":
        return UpdateStrategy.ON_DELETE;
      default:
        throw new IllegalArgumentException(
            "unknown update strategy '" + strategy + "' (RollingUpdate or OnDelete)");
    }
  }
}
