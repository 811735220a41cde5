package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.manifest.AnalysisTemplate.Header;
import dev.ordinal.manifest.AnalysisTemplate.Metric;
import dev.ordinal.manifest.AnalysisTemplate.Prometheus;
import dev.ordinal.manifest.AnalysisTemplate.RangeQuery;
import dev.ordinal.manifest.AnalysisTemplate.SecretKeyRef;
import dev.ordinal.manifest.ParsedBlob.AnalysisSite;
import dev.ordinal.manifest.ParsedBlob.ArgSite;
import dev.ordinal.manifest.ParsedBlob.ParsedDocument;
import dev.ordinal.manifest.ParsedBlob.PolicyDocument;
import dev.ordinal.manifest.ParsedBlob.TemplateDocument;
import dev.ordinal.manifest.ParsedBlob.TemplateRef;
import dev.ordinal.manifest.RolloutPolicy.Analysis;
import dev.ordinal.manifest.RolloutPolicy.AnalysisStep;
import dev.ordinal.manifest.RolloutPolicy.Backup;
import dev.ordinal.manifest.RolloutPolicy.Canary;
import dev.ordinal.manifest.RolloutPolicy.ExecHook;
import dev.ordinal.manifest.RolloutPolicy.Hook;
import dev.ordinal.manifest.RolloutPolicy.JobHook;
import dev.ordinal.manifest.RolloutPolicy.Pause;
import dev.ordinal.manifest.RolloutPolicy.Percent;
import dev.ordinal.manifest.RolloutPolicy.Replicas;
import dev.ordinal.manifest.RolloutPolicy.RestoreMode;
import dev.ordinal.manifest.RolloutPolicy.Step;
import dev.ordinal.manifest.StrictMapping.Item;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Ordinal's own kinds ({@code ordinal.dev/v1alpha1}). Field lists are the schema: adding a
 * field means adding it to the list and reading it below.
 */
final class OrdinalKinds {

  static final String GROUP = "ordinal.dev";
  static final String API_VERSION = "ordinal.dev/v1alpha1";
  static final String POLICY_KIND = "RolloutPolicy";
  static final String TEMPLATE_KIND = "AnalysisTemplate";
  static final List<String> KINDS = List.of(POLICY_KIND, TEMPLATE_KIND);

  private static final List<String> TOP = List.of("apiVersion", "kind", "metadata", "spec");
  private static final List<String> METADATA =
      List.of("name", "namespace", "labels", "annotations");
  private static final List<String> POLICY_SPEC =
      List.of(
          "selector", "progressDeadlineSeconds", "steps", "analysis", "backup", "immutableChanges");
  private static final List<String> SELECTOR = List.of("matchLabels");
  private static final List<String> STEP_TYPES = List.of("canary", "pause", "analysis");
  private static final List<String> CANARY = List.of("replicas", "percent");
  private static final List<String> PAUSE = List.of("duration");
  private static final List<String> ANALYSIS = List.of("templates", "args");
  private static final List<String> TEMPLATE_REF = List.of("templateName");
  private static final List<String> ARG = List.of("name", "value");
  private static final List<String> TEMPLATE_SPEC = List.of("args", "metrics");
  private static final List<String> METRIC =
      List.of(
          "name",
          "interval",
          "count",
          "initialDelay",
          "successCondition",
          "failureCondition",
          "failureLimit",
          "inconclusiveLimit",
          "consecutiveErrorLimit",
          "consecutiveSuccessLimit",
          "dryRun",
          "provider");
  private static final List<String> PROVIDER = List.of("prometheus");
  private static final List<String> PROMETHEUS =
      List.of(
          "address",
          "server",
          "query",
          "rangeQuery",
          "timeout",
          "headers",
          "bearerTokenFile",
          "bearerTokenSecret");
  private static final List<String> RANGE_QUERY = List.of("start", "end", "step");
  private static final List<String> HEADER = List.of("key", "value");
  private static final List<String> SECRET_KEY_REF = List.of("name", "key");
  private static final List<String> BACKUP =
      List.of(
          "volumeSnapshotClassName",
          "volumeClaimTemplates",
          "keep",
          "timeout",
          "restoreOnRollback",
          "quiesce",
          "resume");
  private static final List<String> HOOK = List.of("exec", "job");
  private static final List<String> EXEC = List.of("command", "container", "timeout");
  private static final List<String> JOB = List.of("template", "timeout");
  private static final List<String> RESTORE_MODES = List.of("never", "manual", "auto");
  private static final int DEFAULT_KEEP = 3;
  private static final Duration DEFAULT_BACKUP_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DEFAULT_JOB_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper POD_TEMPLATES = new ObjectMapper();

  private static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
  private static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

  private final ConditionSyntax conditions;
  private final AnalysisTrust trust;

  OrdinalKinds(ConditionSyntax conditions, AnalysisTrust trust) {
    this.conditions = conditions;
    this.trust = trust;
  }

  /**
   * Parses a document whose apiVersion is {@link #API_VERSION}; returns null when it has problems
   * (all of them reported).
   */
  ParsedDocument parse(String kind, JsonNode root, int line, Problems problems) {
    if (!KINDS.contains(kind)) {
      problems.add(
          "kind",
          "unknown kind '"
              + kind
              + "' in "
              + API_VERSION
              + "; known kinds: "
              + String.join(", ", KINDS));
      return null;
    }
    StrictMapping top = StrictMapping.of(root, "", problems, TOP).orElseThrow();
    if (!top.has("metadata")) {
      problems.add("metadata.name", "missing required field"); // as for Kubernetes kinds
    }
    Optional<StrictMapping> metadata = top.mapping("metadata", METADATA);
    String name = null;
    Optional<String> namespace = Optional.empty();
    if (metadata.isPresent()) {
      name = metadata.get().requiredString("name");
      if (name != null) {
        Optional<String> bad = ObjectNames.checkSubdomain(name);
        if (bad.isPresent()) {
          problems.add("metadata.name", bad.get());
        }
      }
      namespace = metadata.get().string("namespace");
      if (namespace.isPresent()) {
        Optional<String> bad = ObjectNames.checkLabel(namespace.get());
        if (bad.isPresent()) {
          problems.add("metadata.namespace", bad.get());
        }
      }
      metadata.get().stringMap("labels");
      metadata.get().stringMap("annotations");
    }
    ParsedDocument parsed =
        kind.equals(POLICY_KIND)
            ? policy(top, name, namespace, line, problems)
            : template(top, name, namespace, line);
    // Problems holds this document's problems only: any of them makes the whole document invalid.
    return problems.isEmpty() ? parsed : null;
  }

  /**
   * "Kind/name" of an Ordinal object that could not be parsed, or null if even that is unknown.
   * Checks across files use it to avoid calling a broken template "not defined".
   */
  static String declaredName(JsonNode root) {
    JsonNode apiVersion = root.get("apiVersion");
    JsonNode kind = root.get("kind");
    JsonNode name = root.path("metadata").get("name");
    if (apiVersion == null
        || !API_VERSION.equals(apiVersion.asText())
        || kind == null
        || !KINDS.contains(kind.asText())
        || name == null
        || !name.isTextual()) {
      return null;
    }
    return kind.asText() + "/" + name.asText();
  }

  private PolicyDocument policy(
      StrictMapping top, String name, Optional<String> namespace, int line, Problems problems) {
    Optional<StrictMapping> maybeSpec = top.requiredMapping("spec", POLICY_SPEC);
    if (maybeSpec.isEmpty()) {
      return null;
    }
    StrictMapping spec = maybeSpec.get();
    List<AnalysisSite> analyses = new ArrayList<>();

    Optional<Map<String, String>> matchLabels = Optional.empty();
    Optional<StrictMapping> selector = spec.mapping("selector", SELECTOR);
    if (selector.isPresent()) {
      if (!selector.get().has("matchLabels")) {
        problems.add(selector.get().pathOf("matchLabels"), "missing required field");
      } else {
        matchLabels = selector.get().stringMap("matchLabels");
        if (matchLabels.isPresent() && matchLabels.get().isEmpty()) {
          // An empty selector would govern every StatefulSet in scope: too easy to do by accident.
          problems.add(selector.get().pathOf("matchLabels"), "must name at least one label");
        }
      }
    }

    int deadline =
        spec.integerAtLeast("progressDeadlineSeconds", 1, DEFAULT_PROGRESS_DEADLINE_SECONDS);

    List<Step> steps = new ArrayList<>();
    // The last canary step of each kind (replicas, percent): a partition only moves forward.
    Map<Class<?>, Integer> lastCanary = new HashMap<>();
    for (Item item : spec.nonEmptyList("steps", "step")) {
      Step step = step(item, problems, analyses);
      if (step != null) {
        steps.add(step);
      }
      if (step instanceof RolloutPolicy.Canary canary) {
        int size =
            canary.weight() instanceof RolloutPolicy.Replicas replicas
                ? replicas.count()
                : ((RolloutPolicy.Percent) canary.weight()).value();
        Integer before = lastCanary.put(canary.weight().getClass(), size);
        if (before != null && size < before) {
          String unit = canary.weight() instanceof RolloutPolicy.Replicas ? "replicas" : "percent";
          problems.add(
              Problems.child(Problems.child(item.path(), "canary"), unit),
              size
                  + " after "
                  + before
                  + " in an earlier step: a canary step only moves pods forward (the pods already"
                  + " on the new revision stay there), so a smaller one changes nothing; remove it,"
                  + " or use abort to go back");
        }
      }
    }

    Optional<Analysis> background =
        spec.mapping("analysis", ANALYSIS).map(analysis -> analysis(analysis, analyses));

    Optional<Backup> backup = spec.mapping("backup", BACKUP).map(OrdinalKinds::backup);

    RolloutPolicy.ImmutableChanges immutableChanges = RolloutPolicy.ImmutableChanges.REFUSE;
    Optional<String> mode = spec.string("immutableChanges");
    if (mode.isPresent()) {
      Optional<RolloutPolicy.ImmutableChanges> parsed =
          RolloutPolicy.ImmutableChanges.parse(mode.get());
      if (parsed.isPresent()) {
        immutableChanges = parsed.get();
      } else {
        problems.add(
            spec.pathOf("immutableChanges"),
            "must be refuse or recreate, not '"
                + mode.get()
                + "' (recreate lets Ordinal grow volumes by recreating the StatefulSet)");
      }
    }

    RolloutPolicy policy =
        new RolloutPolicy(
            name,
            namespace,
            matchLabels,
            Duration.ofSeconds(deadline),
            steps,
            background,
            backup,
            immutableChanges);
    return new PolicyDocument(policy, line, analyses);
  }

  /** {@code spec.backup}; null after reporting its problems. */
  private static Backup backup(StrictMapping backup) {
    int problemsBefore = backup.problems.size();
    Optional<String> snapshotClass = backup.string("volumeSnapshotClassName");
    snapshotClass.ifPresent(
        name ->
            ObjectNames.checkSubdomain(name)
                .ifPresent(
                    bad -> backup.problems.add(backup.pathOf("volumeSnapshotClassName"), bad)));
    List<String> templates = new ArrayList<>();
    if (backup.has("volumeClaimTemplates")) {
      for (Item item : backup.nonEmptyList("volumeClaimTemplates", "volumeClaimTemplate name")) {
        if (!item.node().isTextual() || item.node().asText().isBlank()) {
          backup.problems.expected(item.path(), "a volumeClaimTemplate name", item.node());
        } else if (templates.contains(item.node().asText())) {
          backup.problems.add(item.path(), "'" + item.node().asText() + "' is listed twice");
        } else {
          templates.add(item.node().asText());
        }
      }
    }
    int keep = backup.integerAtLeast("keep", 1, DEFAULT_KEEP);
    Duration timeout = backup.positiveDuration("timeout").orElse(DEFAULT_BACKUP_TIMEOUT);
    RestoreMode restore = RestoreMode.MANUAL;
    Optional<String> mode = backup.string("restoreOnRollback");
    if (mode.isPresent()) {
      if (RESTORE_MODES.contains(mode.get())) {
        restore = RestoreMode.valueOf(mode.get().toUpperCase(Locale.ROOT));
      } else {
        backup.problems.add(
            backup.pathOf("restoreOnRollback"),
            "must be one of " + String.join(", ", RESTORE_MODES) + ", got \"" + mode.get() + "\"");
      }
    }
    Optional<Hook> quiesce = backup.mapping("quiesce", HOOK).map(OrdinalKinds::hook);
    Optional<Hook> resume = backup.mapping("resume", HOOK).map(OrdinalKinds::hook);
    if (backup.problems.size() > problemsBefore) {
      return null;
    }
    return new Backup(snapshotClass, templates, keep, timeout, restore, quiesce, resume);
  }

  /** A quiesce or resume hook: exactly one of exec or job. */
  private static Hook hook(StrictMapping hook) {
    if (hook.has("exec") == hook.has("job")) {
      hook.problems.add(
          hook.path,
          "needs exactly one of exec or job, got " + (hook.has("exec") ? "both" : "neither"));
      return null;
    }
    if (hook.has("exec")) {
      return hook.mapping("exec", EXEC)
          .map(
              exec -> {
                List<String> command = new ArrayList<>();
                for (Item item : exec.nonEmptyList("command", "argument")) {
                  if (!item.node().isValueNode() || item.node().isNull()) {
                    exec.problems.expected(item.path(), "a string", item.node());
                  } else {
                    command.add(item.node().asText());
                  }
                }
                Optional<String> container = exec.string("container");
                Duration timeout = exec.positiveDuration("timeout").orElse(DEFAULT_EXEC_TIMEOUT);
                return command.isEmpty() ? null : new ExecHook(command, container, timeout);
              })
          .orElse(null);
    }
    return hook.mapping("job", JOB)
        .map(
            job -> {
              Duration timeout = job.positiveDuration("timeout").orElse(DEFAULT_JOB_TIMEOUT);
              String template = podTemplate(job);
              return template == null ? null : new JobHook(template, timeout);
            })
        .orElse(null);
  }

  /**
   * A Job hook's pod template, checked for what a Job needs (containers with a name and an image,
   * restartPolicy Never or OnFailure), as JSON; null after reporting.
   */
  private static String podTemplate(StrictMapping job) {
    JsonNode template = job.get("template");
    String path = job.pathOf("template");
    if (template == null) {
      job.problems.add(path, "missing required field");
      return null;
    }
    if (!template.isObject()) {
      job.problems.expected(path, "a pod template (a mapping)", template);
      return null;
    }
    JsonNode spec = template.get("spec");
    if (spec == null || !spec.isObject()) {
      job.problems.add(Problems.child(path, "spec"), "missing required field");
      return null;
    }
    JsonNode containers = spec.get("containers");
    String containersPath = Problems.child(Problems.child(path, "spec"), "containers");
    if (containers == null || !containers.isArray() || containers.isEmpty()) {
      job.problems.add(containersPath, "must list at least one container");
      return null;
    }
    boolean valid = true;
    for (int i = 0; i < containers.size(); i++) {
      JsonNode c = containers.get(i);
      for (String field : List.of("name", "image")) {
        if (!c.path(field).isTextual() || c.path(field).asText().isBlank()) {
          job.problems.add(containersPath + "[" + i + "]." + field, "missing required field");
          valid = false;
        }
      }
    }
    JsonNode restart = spec.get("restartPolicy");
    if (restart != null
        && !"Never".equals(restart.asText())
        && !"OnFailure".equals(restart.asText())) {
      job.problems.add(
          Problems.child(Problems.child(path, "spec"), "restartPolicy"),
          "a Job's pods need Never or OnFailure, got " + Problems.describe(restart));
      valid = false;
    }
    if (!valid) {
      return null;
    }
    try {
      POD_TEMPLATES.treeToValue(template, PodTemplateSpec.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String message =
          e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
      job.problems.add(path, "not a pod template: " + message);
      return null;
    }
    return template.toString();
  }

  private Step step(Item item, Problems problems, List<AnalysisSite> analyses) {
    if (!item.node().isObject()) {
      problems.expected(item.path(), "a mapping", item.node());
      return null;
    }
    List<String> keys = new ArrayList<>();
    item.node().fieldNames().forEachRemaining(keys::add);
    if (keys.size() != 1) {
      problems.add(
          item.path(),
          "a step must have exactly one key ("
              + String.join(", ", STEP_TYPES)
              + "), got "
              + (keys.isEmpty() ? "none" : keys.size() + ": " + String.join(", ", keys)));
      return null;
    }
    String type = keys.get(0);
    String path = Problems.child(item.path(), type);
    JsonNode body = item.node().get(type);
    switch (type) {
      case "canary":
        return StrictMapping.of(body, path, problems, CANARY).map(this::canary).orElse(null);
      case "pause":
        if (body.isNull()) {
          return new Pause(Optional.empty()); // "pause:" with nothing is a manual gate too
        }
        return StrictMapping.of(body, path, problems, PAUSE)
            // Longer than zero, as the rollout engine requires: a zero pause was accepted here and
            // then refused by the engine for every StatefulSet the policy governs.
            .map(
                pause ->
                    new Pause(
                        pause.positiveDuration(
                            "duration",
                            "; leave it out (pause: {}) to wait for 'ordinal promote', or remove"
                                + " the step")))
            .orElse(null);
      case "analysis":
        return StrictMapping.of(body, path, problems, ANALYSIS)
            .map(analysis -> new AnalysisStep(analysis(analysis, analyses)))
            .orElse(null);
      default:
        problems.add(
            path,
            "unknown step type '" + type + "'; known step types: " + String.join(", ", STEP_TYPES));
        return null;
    }
  }

  private Canary canary(StrictMapping canary) {
    boolean hasReplicas = canary.has("replicas");
    boolean hasPercent = canary.has("percent");
    if (hasReplicas == hasPercent) {
      canary.problems.add(
          canary.path,
          "needs exactly one of replicas or percent, got " + (hasReplicas ? "both" : "neither"));
      return null;
    }
    if (hasReplicas) {
      OptionalInt replicas = canary.integer("replicas");
      if (replicas.isEmpty()) {
        return null;
      }
      if (replicas.getAsInt() < 1) {
        canary.problems.add(
            canary.pathOf("replicas"), "must be at least 1, got " + replicas.getAsInt());
        return null;
      }
      return new Canary(new Replicas(replicas.getAsInt()));
    }
    OptionalInt percent = canary.integer("percent");
    if (percent.isEmpty()) {
      return null;
    }
    if (percent.getAsInt() < 1 || percent.getAsInt() > 100) {
      canary.problems.add(
          canary.pathOf("percent"), "must be between 1 and 100, got " + percent.getAsInt());
      return null;
    }
    return new Canary(new Percent(percent.getAsInt()));
  }

  private Analysis analysis(StrictMapping analysis, List<AnalysisSite> analyses) {
    Problems problems = analysis.problems;
    List<TemplateRef> refs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Item item : analysis.nonEmptyList("templates", "template")) {
      StrictMapping.of(item.node(), item.path(), problems, TEMPLATE_REF)
          .ifPresent(
              ref -> {
                String name = ref.requiredString("templateName");
                if (name != null) {
                  names.add(name);
                  String field = ref.pathOf("templateName");
                  refs.add(new TemplateRef(name, field, problems.lineOf(field)));
                }
              });
    }
    List<ArgSite> argSites = new ArrayList<>();
    List<AnalysisArg> args = args(analysis, true, argSites);
    Analysis parsed = new Analysis(names, args);
    // Missing arguments are reported on "args", or on the analysis when it has none.
    int argsLine = problems.lineOf(analysis.pathOf("args"));
    analyses.add(new AnalysisSite(analysis.path, argsLine, parsed, refs, argSites));
    return parsed;
  }

  /**
   * Reads {@code args}; a policy must give each a value, a template may leave it out. Where each
   * arg read is named goes to {@code sites}, when not null.
   */
  private static List<AnalysisArg> args(
      StrictMapping parent, boolean valueRequired, List<ArgSite> sites) {
    List<AnalysisArg> args = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (Item item : parent.list("args")) {
      Optional<StrictMapping> arg =
          StrictMapping.of(item.node(), item.path(), parent.problems, ARG);
      if (arg.isEmpty()) {
        continue;
      }
      String name = arg.get().requiredString("name");
      if (valueRequired && !arg.get().has("value")) {
        parent.problems.add(arg.get().pathOf("value"), "missing required field");
      }
      Optional<String> value = arg.get().scalarText("value");
      if (name == null) {
        continue;
      }
      String earlier = seen.putIfAbsent(name, item.path());
      if (earlier != null) {
        parent.problems.add(
            arg.get().pathOf("name"), "duplicate argument '" + name + "' (also " + earlier + ")");
        continue;
      }
      args.add(new AnalysisArg(name, value));
      if (sites != null) {
        String field = arg.get().pathOf("name");
        String valueField = arg.get().pathOf("value");
        sites.add(
            new ArgSite(
                field,
                parent.problems.lineOf(field),
                valueField,
                parent.problems.lineOf(valueField)));
      }
    }
    return args;
  }

  private TemplateDocument template(
      StrictMapping top, String name, Optional<String> namespace, int line) {
    Optional<StrictMapping> maybeSpec = top.requiredMapping("spec", TEMPLATE_SPEC);
    if (maybeSpec.isEmpty()) {
      return null;
    }
    StrictMapping spec = maybeSpec.get();
    List<AnalysisArg> args = args(spec, false, null);
    Set<String> argNames = new LinkedHashSet<>();
    Map<String, String> argDefaults = new HashMap<>();
    for (AnalysisArg arg : args) {
      argNames.add(arg.name());
      arg.value().ifPresent(value -> argDefaults.put(arg.name(), value));
    }

    List<Metric> metrics = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    for (Item item : spec.nonEmptyList("metrics", "metric")) {
      Optional<StrictMapping> metric =
          StrictMapping.of(item.node(), item.path(), spec.problems, METRIC);
      if (metric.isEmpty()) {
        continue;
      }
      String metricName = metric.get().requiredString("name");
      if (metricName != null && metricName.chars().anyMatch(Character::isISOControl)) {
        // The name shows in logs, rollback reasons, metrics labels and the status page.
        spec.problems.add(
            metric.get().pathOf("name"),
            "metric name '"
                + metricName
                + "' holds a control character; a name shows in logs, rollback reasons and"
                + " metrics: use printable characters");
      }
      if (metricName != null) {
        String earlier = seen.putIfAbsent(metricName, item.path());
        if (earlier != null) {
          spec.problems.add(
              metric.get().pathOf("name"),
              "duplicate metric name '" + metricName + "' (also " + earlier + ")");
        }
      }
      Metric parsed = metric(metric.get(), metricName, argNames, argDefaults);
      if (parsed != null) {
        metrics.add(parsed);
      }
    }
    return new TemplateDocument(new AnalysisTemplate(name, namespace, args, metrics), line);
  }

  private Metric metric(
      StrictMapping metric, String name, Set<String> argNames, Map<String, String> argDefaults) {
    Problems problems = metric.problems;
    Optional<Duration> interval = metric.positiveDuration("interval");
    if (interval.isPresent() && interval.get().compareTo(SHORTEST_INTERVAL) < 0) {
      problems.add(
          metric.pathOf("interval"),
          "is shorter than 1s: Prometheus scrapes every few seconds at most, so measuring more often"
              + " only asks it the same question again; use 1s or more (30s is usual)");
      interval = Optional.empty();
    }
    OptionalInt count = OptionalInt.empty();
    if (metric.has("count")) {
      int value = metric.integerAtLeast("count", 1, -1);
      count = value < 0 ? OptionalInt.empty() : OptionalInt.of(value);
    }
    Optional<Duration> initialDelay = metric.duration("initialDelay");
    Optional<String> success = condition(metric, "successCondition", argNames, argDefaults);
    Optional<String> failure = condition(metric, "failureCondition", argNames, argDefaults);
    if (!metric.has("successCondition") && !metric.has("failureCondition")) {
      problems.add(
          metric.path,
          "metric '"
              + (name == null ? "" : name)
              + "' needs a successCondition or a failureCondition");
    }
    // -1 is Argo's "no limit" for both
    int failureLimit = metric.integerAtLeast("failureLimit", -1, 0);
    int inconclusiveLimit = metric.integerAtLeast("inconclusiveLimit", -1, 0);
    int consecutiveErrorLimit =
        metric.integerAtLeast("consecutiveErrorLimit", 0, DEFAULT_CONSECUTIVE_ERROR_LIMIT);
    int consecutiveSuccessLimit = metric.integerAtLeast("consecutiveSuccessLimit", 0, 0);
    checkLimits(metric, count, interval, failureLimit, inconclusiveLimit, consecutiveSuccessLimit);
    boolean dryRun = metric.bool("dryRun", false);

    Prometheus prometheus =
        metric
            .requiredMapping("provider", PROVIDER)
            .flatMap(provider -> provider.requiredMapping("prometheus", PROMETHEUS))
            .map(p -> prometheus(p, argNames, argDefaults))
            .orElse(null);
    if (prometheus == null || name == null) {
      return null;
    }
    return new Metric(
        name,
        interval,
        count,
        initialDelay,
        success,
        failure,
        failureLimit,
        inconclusiveLimit,
        consecutiveErrorLimit,
        consecutiveSuccessLimit,
        dryRun,
        prometheus);
  }

  /**
   * Argo Rollouts' rules for limits that could never be reached or never end a metric, each
   * reported on the field to change.
   */
  private static void checkLimits(
      StrictMapping metric,
      OptionalInt count,
      Optional<Duration> interval,
      int failureLimit,
      int inconclusiveLimit,
      int successLimit) {
    Problems problems = metric.problems;
    if (failureLimit < 0 && successLimit == 0 && metric.has("failureLimit")) {
      problems.add(
          metric.pathOf("failureLimit"),
          "-1 turns failures off, so only consecutiveSuccessLimit could decide this metric, and it"
              + " is not set; set consecutiveSuccessLimit, or a failureLimit of 0 or more");
    }
    if (count.isEmpty()) {
      return;
    }
    int n = count.getAsInt();
    if (failureLimit >= 0 && n < failureLimit + successLimit) {
      problems.add(
          metric.pathOf("count"),
          "must be at least failureLimit + consecutiveSuccessLimit ("
              + failureLimit
              + " + "
              + successLimit
              + "), got "
              + n
              + "; with fewer measurements those limits could never be reached");
    } else if (failureLimit < 0 && n < successLimit) {
      problems.add(
          metric.pathOf("count"),
          "must be at least consecutiveSuccessLimit ("
              + successLimit
              + "), got "
              + n
              + "; with fewer measurements it could never be reached");
    }
    if (n < inconclusiveLimit) {
      problems.add(
          metric.pathOf("count"),
          "must be at least inconclusiveLimit (" + inconclusiveLimit + "), got " + n);
    }
    if (n > 1 && interval.isEmpty() && !metric.has("interval")) {
      problems.add(
          metric.pathOf("interval"),
          "missing required field: count is "
              + n
              + ", so say how long to wait between measurements");
    }
  }

  private Optional<String> condition(
      StrictMapping metric, String field, Set<String> argNames, Map<String, String> argDefaults) {
    Optional<String> expression = metric.string(field);
    if (expression.isPresent()) {
      if (!placeholders(metric, field, expression.get(), argNames, true)) {
        return Optional.empty();
      }
      Optional<String> bad =
          field.equals("successCondition")
              ? conditions.checkSuccess(expression.get(), argDefaults)
              : conditions.checkFailure(expression.get(), argDefaults);
      if (bad.isPresent()) {
        metric.problems.add(metric.pathOf(field), bad.get());
        return Optional.empty();
      }
    }
    return expression;
  }

  /**
   * Checks that every placeholder in {@code text} names a declared arg or a known rollout value;
   * false after reporting one that does not.
   *
   * @param columns whether to name the column (conditions are short; queries span lines)
   */
  private static boolean placeholders(
      StrictMapping parent, String field, String text, Set<String> argNames, boolean columns) {
    boolean valid = true;
    Matcher placeholder = PLACEHOLDER.matcher(text);
    while (placeholder.find()) {
      String name = placeholder.group(1);
      String where = columns ? " at column " + (placeholder.start() + 1) : "";
      if (name.startsWith("args.")) {
        String arg = name.substring("args.".length());
        if (!argNames.contains(arg)) {
          parent.problems.add(
              parent.pathOf(field),
              "uses undefined argument '"
                  + arg
                  + "'"
                  + where
                  + "; spec.args declares: "
                  + (argNames.isEmpty() ? "none" : String.join(", ", argNames)));
          valid = false;
        }
      } else if (!AnalysisTemplate.ROLLOUT_PLACEHOLDERS.contains(name)) {
        parent.problems.add(
            parent.pathOf(field),
            "uses unknown placeholder {{"
                + name
                + "}}"
                + where
                + "; known: {{args.NAME}}, "
                + String.join(
                    ", ",
                    AnalysisTemplate.ROLLOUT_PLACEHOLDERS.stream()
                        .map(p -> "{{" + p + "}}")
                        .toList()));
        valid = false;
      }
    }
    return valid;
  }

  private Prometheus prometheus(
      StrictMapping prometheus, Set<String> argNames, Map<String, String> argDefaults) {
    Problems problems = prometheus.problems;
    URI address = null;
    Optional<String> addressText = prometheus.string("address");
    Optional<String> server = prometheus.string("server");
    if (addressText.isPresent()) {
      address = httpUrl(addressText.get());
      if (address == null) {
        problems.add(
            prometheus.pathOf("address"),
            "must be an http(s) URL, got \"" + addressText.get() + "\"");
      } else {
        trust.addressProblem(address).ifPresent(p -> problems.add(prometheus.pathOf("address"), p));
      }
      if (server.isPresent()) {
        problems.add(prometheus.path, "set at most one of address and server");
      }
    } else if (server.isPresent()) {
      trust
          .serverProblem(server.get())
          .ifPresent(p -> problems.add(prometheus.pathOf("server"), p));
    } else {
      trust.defaultProblem().ifPresent(p -> problems.add(prometheus.path, p));
    }
    String query = prometheus.requiredString("query");
    if (query != null && placeholders(prometheus, "query", query, argNames, false)) {
      // The defaults where they sit: one that would break out of its place fails the commit, not
      // the rollout that reaches the metric.
      conditions
          .checkQuery(query, argDefaults)
          .ifPresent(problem -> problems.add(prometheus.pathOf("query"), problem));
    }
    Optional<RangeQuery> rangeQuery =
        prometheus.mapping("rangeQuery", RANGE_QUERY).map(range -> rangeQuery(range, argNames));
    Optional<Duration> timeout = prometheus.positiveDuration("timeout");
    List<Header> headers = new ArrayList<>();
    for (Item item : prometheus.list("headers")) {
      StrictMapping.of(item.node(), item.path(), problems, HEADER)
          .ifPresent(
              header -> {
                String key = header.requiredString("key");
                if (!header.has("value")) {
                  problems.add(header.pathOf("value"), "missing required field");
                }
                Optional<String> value = header.scalarText("value");
                if (key != null && value.isPresent()) {
                  headers.add(new Header(key, value.get()));
                }
              });
    }
    if (prometheus.has("bearerTokenFile")) {
      problems.add(
          prometheus.pathOf("bearerTokenFile"),
          "refused: a template from Git may not read files on Ordinal's pod (its service-account"
              + " token among them); the operator puts the credential on a Prometheus server in"
              + " Ordinal's config (prometheus.NAME.bearerTokenSecret) and the template names it"
              + " with server: NAME");
    }
    Optional<SecretKeyRef> tokenSecret =
        prometheus
            .mapping("bearerTokenSecret", SECRET_KEY_REF)
            .map(
                secret -> {
                  String name = secret.requiredString("name");
                  String key = secret.requiredString("key");
                  if (name != null) {
                    trust
                        .secretProblem(name)
                        .ifPresent(p -> problems.add(secret.pathOf("name"), p));
                  }
                  return name == null || key == null ? null : new SecretKeyRef(name, key);
                });
    if (query == null || (addressText.isPresent() && address == null)) {
      return null;
    }
    return new Prometheus(address, query, rangeQuery, timeout, headers, server, tokenSecret);
  }

  /** Argo's rangeQuery: start and end are time expressions, step a positive duration. */
  private RangeQuery rangeQuery(StrictMapping range, Set<String> argNames) {
    String start = timeExpression(range, "start", argNames);
    String end = timeExpression(range, "end", argNames);
    if (!range.has("step")) {
      range.problems.add(range.pathOf("step"), "missing required field");
    }
    Optional<Duration> step = range.positiveDuration("step");
    if (start == null || end == null || step.isEmpty()) {
      return null;
    }
    return new RangeQuery(start, end, step.get());
  }

  private String timeExpression(StrictMapping range, String field, Set<String> argNames) {
    String expression = range.requiredString(field);
    if (expression == null || !placeholders(range, field, expression, argNames, true)) {
      return null;
    }
    Optional<String> bad = conditions.checkTime(expression);
    if (bad.isPresent()) {
      range.problems.add(range.pathOf(field), bad.get());
      return null;
    }
    return expression;
  }

  private static URI httpUrl(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null) {
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /** A metric's interval below this asks Prometheus again before it can know anything new. */
  private static final Duration SHORTEST_INTERVAL = Duration.ofSeconds(1);
}
