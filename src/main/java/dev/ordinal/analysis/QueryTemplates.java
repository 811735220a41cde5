package dev.ordinal.analysis;

import dev.ordinal.analysis.AnalysisRuns.RolloutContext;
import dev.ordinal.manifest.AnalysisArg;
import dev.ordinal.manifest.AnalysisTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills placeholders: {@code {{args.NAME}}} and {@code {{rollout.namespace}}}, {@code statefulset},
 * {@code canaryRevision}, {@code stableRevision}, {@code canaryPods}, {@code stablePods}.
 *
 * <p>{@code {{rollout.canaryPods}}} and {@code {{rollout.stablePods}}} are regex alternations of
 * the pods on the new and on the stable revision, highest ordinal first ({@code db-4|db-3}), each
 * name regex-escaped, for {@code pod=~"{{rollout.canaryPods}}"}. A rollout without such pods cannot
 * render them: an empty alternation would match series without a pod label.
 *
 * <p>In a query every value is escaped for where it sits, so that it stays data: inside a quoted
 * PromQL string its backslashes and quotes are escaped (an arg {@code "} or vector(1) or up{a="}
 * stays inside its label matcher); outside quotes only a number, a duration or a metric name is
 * accepted. Args are substituted as the values they are, never as raw PromQL: a template that needs
 * PromQL from an arg must write that PromQL itself. In conditions, values are bound as literals by
 * {@link dev.ordinal.analysis.condition.Condition#bind}.
 */
public final class QueryTemplates {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");
  private static final Pattern REGEX_META = Pattern.compile("[\\\\.^$|?*+()\\[\\]{}]");

  /** What may stand outside quotes in PromQL: a number, a duration, or a metric or label name. */
  private static final Pattern BARE =
      Pattern.compile(
          "[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|(\\d+(ms|s|m|h|d|w|y))+|[A-Za-z_:][A-Za-z0-9_:]*");

  private QueryTemplates() {}

  /** Where a placeholder sits in a PromQL query. */
  private enum Context {
    BARE,
    DOUBLE_QUOTED,
    SINGLE_QUOTED,
    BACKTICKED,
    COMMENT
  }

  /**
   * The template's args with their defaults, overridden by {@code given}. An arg the template does
   * not declare is ignored (policies may pass shared args to several templates).
   */
  public static Map<String, String> resolveArgs(
      AnalysisTemplate template, Map<String, String> given) throws AnalysisSetupException {
    Map<String, String> args = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
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

  /** The names of the args {@code text} refers to ({@code {{args.NAME}}}), in order, once each. */
  public static Set<String> argNames(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher matcher = PLACEHOLDER.matcher(text);
    while (matcher.find()) {
      if (matcher.group(1).startsWith("args.")) {
        names.add(matcher.group(1).substring("args.".length()));
      }
    }
    return names;
  }

  /** The query with every placeholder filled in and escaped for where it sits. */
  public static String render(String query, Map<String, String> args, RolloutContext rollout)
      throws AnalysisSetupException {
    Matcher matcher = PLACEHOLDER.matcher(query);
    StringBuilder out = new StringBuilder();
    int scanned = 0;
    Context context = Context.BARE;
    while (matcher.find()) {
      context = contextAt(query, scanned, matcher.start(), context);
      scanned = matcher.end();
      String name = matcher.group(1);
      String value = value(name, args, rollout, "query '" + query + "'");
      matcher.appendReplacement(out, Matcher.quoteReplacement(escape(name, value, context, query)));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  /**
   * The raw values of {@code names} ({@code args.x}, {@code rollout.y}), for binding a condition or
   * a rangeQuery time.
   *
   * @param where how a message names what uses them
   */
  public static Map<String, String> values(
      List<String> names, Map<String, String> args, RolloutContext rollout, String where)
      throws AnalysisSetupException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : names) {
      values.put(name, value(name, args, rollout, where));
    }
    return values;
  }

  private static String value(
      String name, Map<String, String> args, RolloutContext rollout, String where)
      throws AnalysisSetupException {
    if (name.startsWith("args.")) {
      String arg = name.substring("args.".length());
      String value = args.get(arg);
      if (value == null) {
        throw new AnalysisSetupException(
            where + " uses {{" + name + "}} but there is no arg '" + arg + "'");
      }
      return value;
    }
    if (!AnalysisTemplate.ROLLOUT_PLACEHOLDERS.contains(name)) {
      throw new AnalysisSetupException(
          where
              + " uses unknown placeholder {{"
              + name
              + "}} (known: args.NAME, "
              + String.join(", ", AnalysisTemplate.ROLLOUT_PLACEHOLDERS)
              + ")");
    }
    if (rollout == null) {
      throw new AnalysisSetupException(
          where
              + " uses {{"
              + name
              + "}} but there is no rollout to take it from"
              + " (ordinal analysis backtest: pass --namespace, --canary-pods, ...)");
    }
    return switch (name) {
      case "rollout.namespace" -> rollout.namespace();
      case "rollout.canaryRevision" -> rollout.canaryRevision();
      case "rollout.stableRevision" -> rollout.stableRevision();
      case "rollout.canaryPods" -> podsRegex(rollout.canaryPods(), "canary", where);
      case "rollout.stablePods" -> podsRegex(rollout.stablePods(), "stable", where);
      default -> rollout.statefulSet();
    };
  }

  /** Whether the text between {@code from} and {@code to} leaves {@code context} changed. */
  private static Context contextAt(String query, int from, int to, Context context) {
    for (int i = from; i < to; i++) {
      char c = query.charAt(i);
      switch (context) {
        case BARE -> {
          if (c == '"') {
            context = Context.DOUBLE_QUOTED;
          } else if (c == '\'') {
            context = Context.SINGLE_QUOTED;
          } else if (c == '`') {
            context = Context.BACKTICKED;
          } else if (c == '#') {
            context = Context.COMMENT;
          }
        }
        case DOUBLE_QUOTED, SINGLE_QUOTED -> {
          char quote = context == Context.DOUBLE_QUOTED ? '"' : '\'';
          if (c == '\\') {
            i++; // an escaped character never ends the string
          } else if (c == quote) {
            context = Context.BARE;
          }
        }
        case BACKTICKED -> context = c == '`' ? Context.BARE : context;
        case COMMENT -> context = c == '\n' ? Context.BARE : context;
      }
    }
    return context;
  }

  private static String escape(String name, String value, Context context, String query)
      throws AnalysisSetupException {
    return switch (context) {
      case DOUBLE_QUOTED -> quoted(value, '"');
      case SINGLE_QUOTED -> quoted(value, '\'');
      case BACKTICKED -> {
        if (value.indexOf('`') >= 0) {
          throw new AnalysisSetupException(
              "query '"
                  + query
                  + "': the value of {{"
                  + name
                  + "}} contains a backtick and cannot sit in a `raw string`; use double quotes");
        }
        yield value;
      }
      case COMMENT -> value.replace('\n', ' ');
      case BARE -> {
        if (!BARE.matcher(value).matches()) {
          throw new AnalysisSetupException(
              "query '"
                  + query
                  + "': {{"
                  + name
                  + "}} is \""
                  + value
                  + "\" and sits outside quotes, where only a number, a duration or a metric name"
                  + " is safe; quote the placeholder in the query, or pass such a value");
        }
        yield value;
      }
    };
  }

  /** {@code value} as the content of a PromQL string in {@code quote}s. */
  private static String quoted(String value, char quote) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c == quote) {
            out.append('\\');
          }
          out.append(c);
        }
      }
    }
    return out.toString();
  }

  private static String podsRegex(List<String> pods, String which, String where)
      throws AnalysisSetupException {
    if (pods.isEmpty()) {
      throw new AnalysisSetupException(
          where + " uses {{rollout." + which + "Pods}} but the rollout has no " + which + " pods");
    }
    return podsRegex(pods);
  }

  /** The regex alternation of {@code pods}, each name regex-escaped, highest ordinal first. */
  static String podsRegex(List<String> pods) {
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
          REGEX_META.matcher(pod).replaceAll(m -> Matcher.quoteReplacement("\\" + m.group())));
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
