package dev.ordinal.analysis;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.manifest.AnalysisArg;
import dev.ordinal.manifest.AnalysisTemplate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a query's placeholders: {@code {{args.NAME}}} and {@code {{rollout.namespace}}}, {@code
 * statefulset}, {@code canaryRevision}, {@code stableRevision}, {@code canaryPods}.
 *
 * <p>{@code {{rollout.canaryPods}}} is a regex alternation of the canary pods, highest ordinal
 * first ({@code db-4|db-3}), each name regex-escaped and the escapes doubled so that it can sit
 * inside a double-quoted PromQL string: {@code pod=~"{{rollout.canaryPods}}"}. A rollout without
 * canary pods cannot render it: an empty alternation would match series without a pod label.
 */
public final class QueryTemplates {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");
  private static final Pattern REGEX_META = Pattern.compile("[\\\\.^$|?*+()\\[\\]{}]");

  private QueryTemplates() {}

  /**
   * The template's args with their defaults, overridden by {@code given}. An arg the template does
   * not declare is ignored (policies may pass shared args to several templates).
   */
  public static Map<String, String> resolveArgs(
      AnalysisTemplate template, Map<String, String> given) throws AnalysisSetupException {
    Map<String, String> args = new LinkedHashMap<>();
    List<String> missing = new java.util.ArrayList<>();
    for (AnalysisArg arg : template.args()) {
      String value =
          given.containsKey(arg.name()) ? given.get(arg.name()) : arg.value().orElse(null);
      if (value == null) {
        missing.add(arg.name());
      } else {
        args.put(arg.name(), value);
      }
    }
    if (!missing.isEmpty()) {
      throw new AnalysisSetupException(
          "AnalysisTemplate '"
              + template.name()
              + "' needs arg(s) "
              + missing
              + " that have no default and were not passed");
    }
    return args;
  }

  public static String render(String query, Map<String, String> args, RolloutContext rollout)
      throws AnalysisSetupException {
    Matcher matcher = PLACEHOLDER.matcher(query);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      String value = value(name, args, rollout, query);
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String value(
      String name, Map<String, String> args, RolloutContext rollout, String query)
      throws AnalysisSetupException {
    if (name.startsWith("args.")) {
      String arg = name.substring("args.".length());
      String value = args.get(arg);
      if (value == null) {
        throw new AnalysisSetupException(
            "query '" + query + "' uses {{" + name + "}} but there is no arg '" + arg + "'");
      }
      return value;
    }
    if (rollout == null) {
      throw new AnalysisSetupException(
          "query '"
              + query
              + "' uses {{"
              + name
              + "}} but there is no rollout to take it from"
              + " (ordinal analysis backtest: pass --namespace, --canary-pods, ...)");
    }
    switch (name) {
      case "rollout.namespace":
        return rollout.namespace();
      case "rollout.statefulset":
      case "rollout.statefulSet":
        return rollout.statefulSet();
      case "rollout.canaryRevision":
        return rollout.canaryRevision();
      case "rollout.stableRevision":
        return rollout.stableRevision();
      case "rollout.canaryPods":
        if (rollout.canaryPods().isEmpty()) {
          throw new AnalysisSetupException(
              "query '"
                  + query
                  + "' uses {{rollout.canaryPods}} but the rollout has no canary pods");
        }
        return canaryPodsRegex(rollout.canaryPods());
      default:
        throw new AnalysisSetupException(
            "query '"
                + query
                + "' uses unknown placeholder {{"
                + name
                + "}} (known: args.NAME, rollout.namespace, rollout.statefulset, rollout.canaryRevision,"
                + " rollout.stableRevision, rollout.canaryPods)");
    }
  }

  static String canaryPodsRegex(List<String> pods) {
    // Highest ordinal first: that is the order a StatefulSet canary is rolled in, and it keeps the
    // rendered query stable whatever order the pods were observed in.
    TreeSet<String> sorted = new TreeSet<>(QueryTemplates::byOrdinalDescending);
    sorted.addAll(pods);
    StringBuilder regex = new StringBuilder();
    for (String pod : sorted) {
      if (regex.length() > 0) {
        regex.append('|');
      }
      regex.append(
          REGEX_META.matcher(pod).replaceAll(m -> Matcher.quoteReplacement("\\\\" + m.group())));
    }
    return regex.toString();
  }

  private static int byOrdinalDescending(String a, String b) {
    long ordinalA = ordinal(a);
    long ordinalB = ordinal(b);
    if (ordinalA != ordinalB) {
      return Long.compare(ordinalB, ordinalA);
    }
    return a.compareTo(b);
  }

  private static long ordinal(String pod) {
    int dash = pod.lastIndexOf('-');
    try {
      return dash < 0 ? -1 : Long.parseLong(pod.substring(dash + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
