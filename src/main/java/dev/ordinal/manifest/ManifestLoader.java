package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.ordinal.manifest.ParsedBlob.AnalysisSite;
import dev.ordinal.manifest.ParsedBlob.KubernetesDocument;
import dev.ordinal.manifest.ParsedBlob.ParsedDocument;
import dev.ordinal.manifest.ParsedBlob.PolicyDocument;
import dev.ordinal.manifest.ParsedBlob.TemplateDocument;
import dev.ordinal.manifest.ParsedBlob.TemplateRef;
import dev.ordinal.manifest.Problems.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a {@link SourceTree} into a {@link DesiredState}, or into the complete list of what is
 * wrong with it.
 *
 * <p>Parsed blobs are cached by blob id, so loading the next commit re-parses only the files that
 * changed; blobs not in the latest tree are evicted. Uncached blobs are parsed in parallel. One
 * loader may be shared between threads.
 */
public final class ManifestLoader {

  private static final Comparator<LoadError> FILE_THEN_LINE =
      Comparator.comparing(LoadError::file)
          .thenComparingInt(LoadError::line)
          .thenComparing(LoadError::field)
          .thenComparing(LoadError::message);

  // One mapper for the whole process: Jackson caches deserializers per mapper, and building them
  // for fabric8's large model classes is the expensive part of a first load. Unknown properties
  // are not checked: fabric8 models keep them in additionalProperties, and the few helper types
  // without that must not reject a manifest that the API server would accept.
  private static final ObjectMapper MAPPER = strictScalars(new ObjectMapper());

  /**
   * The API server decodes with Go's encoding/json, which refuses {@code replicas: "3"}, {@code
   * replicas: 3.5} and {@code annotations: {port: 9090}}; Jackson would quietly convert them.
   * Failing here reports them against the commit instead of at apply time.
   */
  private static ObjectMapper strictScalars(ObjectMapper mapper) {
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }

  private final OrdinalKinds ordinalKinds;
  private final Map<String, ParsedBlob> cache = new ConcurrentHashMap<>();
  private final AtomicLong blobsParsed = new AtomicLong();

  /** A loader that checks metric conditions with Ordinal's condition grammar. */
  public ManifestLoader() {
    this(dev.ordinal.analysis.condition.ConditionGrammar.INSTANCE);
  }

  /** A loader that checks metric conditions with {@code conditions}. */
  public ManifestLoader(ConditionSyntax conditions) {
    this.ordinalKinds = new OrdinalKinds(conditions);
  }

  /**
   * Loads every file of {@code tree}. Never throws for bad content: unreadable files, syntax errors
   * and invalid objects all end up in {@link LoadResult.Invalid}.
   */
  public LoadResult load(SourceTree tree) {
    List<SourceEntry> entries = new ArrayList<>(tree.entries());
    entries.sort(Comparator.comparing(SourceEntry::path));
    // The same content may sit at several paths; parse each blob id once.
    Map<String, SourceEntry> byBlob = new LinkedHashMap<>();
    for (SourceEntry entry : entries) {
      byBlob.putIfAbsent(entry.blobId(), entry);
    }
    Map<String, ParsedBlob> parsed = new HashMap<>();
    List<SourceEntry> uncached = new ArrayList<>();
    for (SourceEntry entry : byBlob.values()) {
      ParsedBlob cached = cache.get(entry.blobId());
      if (cached != null) {
        parsed.put(entry.blobId(), cached);
      } else {
        uncached.add(entry);
      }
    }
    if (uncached.size() == 1) {
      parsed.put(uncached.get(0).blobId(), parseAndCache(tree, uncached.get(0)));
    } else if (!uncached.isEmpty()) {
      parsed.putAll(
          uncached.parallelStream()
              .collect(
                  Collectors.toConcurrentMap(
                      SourceEntry::blobId, entry -> parseAndCache(tree, entry))));
    }
    List<ParsedBlob> blobs = new ArrayList<>(entries.size());
    for (SourceEntry entry : entries) {
      blobs.add(parsed.get(entry.blobId()));
    }
    evictAllBut(entries);
    return assemble(tree, entries, blobs);
  }

  /** How many blobs this loader has parsed since it was created (cache misses). */
  public long blobsParsed() {
    return blobsParsed.get();
  }

  /** How many parsed blobs are cached now. */
  public int cachedBlobs() {
    return cache.size();
  }

  /** Forgets every parsed blob, so the next load parses everything again. */
  public void clearCache() {
    cache.clear();
  }

  private ParsedBlob parseAndCache(SourceTree tree, SourceEntry entry) {
    byte[] bytes;
    try {
      bytes = tree.reader().read(entry);
      if (bytes == null) {
        throw new IOException("no content for blob " + entry.blobId());
      }
    } catch (IOException | RuntimeException e) {
      // Not cached: the next load should try to read it again.
      return ParsedBlob.failed(new Problem(1, "", "cannot read file: " + e.getMessage()));
    }
    ParsedBlob parsed;
    try {
      parsed = parse(bytes);
    } catch (RuntimeException e) {
      // A bug here must not hide the errors of the other files; the tree is invalid either way.
      parsed = ParsedBlob.failed(new Problem(1, "", "cannot parse file: " + e));
    }
    blobsParsed.incrementAndGet();
    cache.put(entry.blobId(), parsed);
    return parsed;
  }

  private void evictAllBut(List<SourceEntry> entries) {
    Set<String> live = new HashSet<>();
    for (SourceEntry entry : entries) {
      live.add(entry.blobId());
    }
    cache.keySet().retainAll(live);
  }

  /** Parses and validates the documents of one blob on their own. */
  ParsedBlob parse(byte[] bytes) {
    YamlDocuments.Split split = YamlDocuments.split(bytes, MAPPER);
    List<Problem> problems = new ArrayList<>();
    List<ParsedDocument> documents = new ArrayList<>(split.documents().size());
    List<String> broken = new ArrayList<>();
    if (split.syntaxError() != null) {
      problems.add(split.syntaxError());
    } else if (YamlDocuments.mayContainAlias(bytes)) {
      int aliasLine = YamlDocuments.firstAliasLine(bytes);
      if (aliasLine > 0) {
        problems.add(
            new Problem(
                aliasLine, "", "YAML aliases (*name) are not supported; write the value out"));
      }
    }
    for (YamlDocuments.Document document : split.documents()) {
      Problems documentProblems =
          new Problems(() -> YamlDocuments.fieldLines(bytes, document.index()), document.line());
      ParsedDocument parsed = parseDocument(document, documentProblems);
      if (!documentProblems.isEmpty() && document.root().isObject()) {
        String declared = OrdinalKinds.declaredName(document.root());
        if (declared != null) {
          broken.add(declared);
        }
      }
      if (parsed != null && documentProblems.isEmpty()) {
        documents.add(parsed);
      }
      problems.addAll(documentProblems.list());
    }
    return new ParsedBlob(documents, problems, broken);
  }

  private ParsedDocument parseDocument(YamlDocuments.Document document, Problems problems) {
    JsonNode root = document.root();
    if (!root.isObject()) {
      problems.add(
          "", "a document must be a mapping with apiVersion and kind, got " + describeShape(root));
      return null;
    }
    String apiVersion = identifier(root, "apiVersion", problems);
    String kind = identifier(root, "kind", problems);
    if (apiVersion == null || kind == null) {
      return null;
    }
    String group = KubernetesKinds.group(apiVersion);
    if (group.equals(OrdinalKinds.GROUP)) {
      if (!apiVersion.equals(OrdinalKinds.API_VERSION)) {
        problems.add(
            "apiVersion",
            "unsupported apiVersion '" + apiVersion + "'; supported: " + OrdinalKinds.API_VERSION);
        return null;
      }
      return ordinalKinds.parse(kind, root, document.line(), problems);
    }
    if (!kubernetesMetadata(root, group, problems)) {
      return null;
    }
    Class<? extends HasMetadata> type = KubernetesKinds.classFor(apiVersion, kind);
    try {
      HasMetadata resource = MAPPER.treeToValue(root, type);
      return new KubernetesDocument(resource, document.line(), document.index());
    } catch (JsonMappingException e) {
      reportMappingError(root, e, problems);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      problems.add("", "cannot read " + kind + ": " + firstLine(e.getMessage()));
    }
    return null;
  }

  /** Reads apiVersion or kind, which must be non-empty strings. */
  private static String identifier(JsonNode root, String field, Problems problems) {
    JsonNode value = root.get(field);
    if (value == null || value.isNull()) {
      problems.add(field, "missing required field");
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      problems.expected(field, "a non-empty string", value);
      return null;
    }
    return value.asText();
  }

  /** Checks the metadata every Kubernetes object needs; false if it is unusable. */
  private static boolean kubernetesMetadata(JsonNode root, String group, Problems problems) {
    JsonNode metadata = root.get("metadata");
    if (metadata == null || metadata.isNull()) {
      problems.add("metadata.name", "missing required field");
      return false;
    }
    if (!metadata.isObject()) {
      problems.expected("metadata", "a mapping", metadata);
      return false;
    }
    boolean valid = true;
    JsonNode name = metadata.get("name");
    if (name == null || name.isNull()) {
      problems.add("metadata.name", "missing required field");
      valid = false;
    } else if (!name.isTextual()) {
      problems.expected("metadata.name", "a string", name);
      valid = false;
    } else {
      Optional<String> bad =
          group.equals("rbac.authorization.k8s.io")
              ? ObjectNames.checkPathSegment(name.asText())
              : ObjectNames.checkSubdomain(name.asText());
      if (bad.isPresent()) {
        problems.add("metadata.name", bad.get());
        valid = false;
      }
    }
    JsonNode namespace = metadata.get("namespace");
    if (namespace != null && !namespace.isNull()) {
      if (!namespace.isTextual()) {
        problems.expected("metadata.namespace", "a string", namespace);
        valid = false;
      } else {
        Optional<String> bad = ObjectNames.checkLabel(namespace.asText());
        if (bad.isPresent()) {
          problems.add("metadata.namespace", bad.get());
          valid = false;
        }
      }
    }
    return valid;
  }

  /** Turns Jackson's "cannot deserialize" into "spec.replicas: expected an integer, got ...". */
  private static void reportMappingError(JsonNode root, JsonMappingException e, Problems problems) {
    StringBuilder path = new StringBuilder();
    JsonNode value = root;
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(reference.getFieldName());
        value = value == null ? null : value.get(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
        value = value == null ? null : value.get(reference.getIndex());
      }
    }
    String field = path.toString();
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      Object got = e instanceof InvalidFormatException invalid ? invalid.getValue() : null;
      String shown = value != null ? Problems.describe(value) : String.valueOf(got);
      problems.add(field, "expected " + describeType(mismatch.getTargetType()) + ", got " + shown);
    } else {
      problems.add(field, firstLine(e.getOriginalMessage()));
    }
  }

  private static String describeType(Class<?> type) {
    if (type == Integer.class
        || type == int.class
        || type == Long.class
        || type == long.class
        || type == Short.class
        || type == short.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class || type == Float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == IntOrString.class) {
      return "an integer or a string";
    }
    if (type == Quantity.class) {
      return "a quantity such as 500m or 1Gi";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "a mapping";
  }

  private static String describeShape(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    return "the scalar " + Problems.describe(node);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Checks across files, then builds the state or the sorted list of errors. */
  private LoadResult assemble(SourceTree tree, List<SourceEntry> entries, List<ParsedBlob> blobs) {
    List<LoadError> errors = new ArrayList<>();
    List<ManifestObject> objects = new ArrayList<>();
    Map<String, SourceLocation> objectKeys = new HashMap<>();
    Map<String, RolloutPolicy> policies = new LinkedHashMap<>();
    Map<String, SourceLocation> policySources = new HashMap<>();
    Map<String, AnalysisTemplate> templates = new LinkedHashMap<>();
    Map<String, SourceLocation> templateSources = new HashMap<>();
    List<Located<PolicyDocument>> policyDocuments = new ArrayList<>();
    List<Located<KubernetesDocument>> statefulSets = new ArrayList<>();
    // Ordinal objects whose own errors are reported; references to them are not errors too.
    Set<String> broken = new HashSet<>();

    for (int i = 0; i < entries.size(); i++) {
      String file = entries.get(i).path();
      ParsedBlob blob = blobs.get(i);
      for (Problem problem : blob.problems()) {
        errors.add(problem.in(file));
      }
      broken.addAll(blob.brokenOrdinalObjects());
      for (ParsedDocument document : blob.documents()) {
        SourceLocation here = new SourceLocation(file, document.line());
        if (document instanceof KubernetesDocument kubernetes) {
          HasMetadata resource = kubernetes.resource();
          String key = objectKey(resource);
          SourceLocation first = objectKeys.putIfAbsent(key, here);
          if (first != null) {
            errors.add(duplicate(here, describe(resource), first));
            continue;
          }
          objects.add(new ManifestObject(resource, here));
          if (resource instanceof StatefulSet) {
            statefulSets.add(new Located<>(kubernetes, entries.get(i)));
          }
        } else if (document instanceof PolicyDocument policy) {
          String name = policy.policy().name();
          SourceLocation first = policySources.putIfAbsent(name, here);
          if (first != null) {
            errors.add(duplicate(here, "RolloutPolicy " + name, first));
            continue;
          }
          policies.put(name, policy.policy());
          policyDocuments.add(new Located<>(policy, entries.get(i)));
        } else if (document instanceof TemplateDocument template) {
          String name = template.template().name();
          SourceLocation first = templateSources.putIfAbsent(name, here);
          if (first != null) {
            errors.add(duplicate(here, "AnalysisTemplate " + name, first));
            continue;
          }
          templates.put(name, template.template());
        }
      }
    }

    for (Located<PolicyDocument> policy : policyDocuments) {
      for (AnalysisSite site : policy.document().analyses()) {
        checkTemplates(policy.entry().path(), site, templates, broken, errors);
      }
    }

    for (Located<KubernetesDocument> statefulSet : statefulSets) {
      HasMetadata resource = statefulSet.document().resource();
      DesiredState.Governance governance = DesiredState.govern(resource, policies);
      if (governance instanceof DesiredState.Governance.UnknownPolicy unknown
          && broken.contains(OrdinalKinds.POLICY_KIND + "/" + unknown.name())) {
        continue;
      }
      if (governance instanceof DesiredState.Governance.Governed governed) {
        checkBackupTemplates(tree, statefulSet, governed.policy(), errors);
      }
      String problem = governance.problem();
      if (!problem.isEmpty()) {
        boolean byAnnotation = !(governance instanceof DesiredState.Governance.Ambiguous);
        String field =
            byAnnotation ? "metadata.annotations." + RolloutPolicy.POLICY_ANNOTATION : "";
        int line = byAnnotation ? lineOf(tree, statefulSet, field) : statefulSet.document().line();
        String message = describe(resource) + " " + problem;
        errors.add(
            new LoadError(
                statefulSet.entry().path(),
                line,
                field,
                field.isEmpty() ? message : field + ": " + message));
      }
    }

    if (!errors.isEmpty()) {
      errors.sort(FILE_THEN_LINE);
      return new LoadResult.Invalid(errors);
    }
    return new LoadResult.Loaded(new DesiredState(tree.revision(), objects, policies, templates));
  }

  /**
   * A policy that snapshots named volumeClaimTemplates must find each in the StatefulSets it
   * governs: otherwise a rollout would go ahead with a claim never copied.
   */
  private static void checkBackupTemplates(
      SourceTree tree,
      Located<KubernetesDocument> statefulSet,
      RolloutPolicy policy,
      List<LoadError> errors) {
    if (policy.backup().isEmpty() || policy.backup().get().volumeClaimTemplates().isEmpty()) {
      return;
    }
    StatefulSet sts = (StatefulSet) statefulSet.document().resource();
    List<String> have = new ArrayList<>();
    if (sts.getSpec() != null && sts.getSpec().getVolumeClaimTemplates() != null) {
      sts.getSpec()
          .getVolumeClaimTemplates()
          .forEach(t -> have.add(t.getMetadata() == null ? "" : t.getMetadata().getName()));
    }
    for (String wanted : policy.backup().get().volumeClaimTemplates()) {
      if (!have.contains(wanted)) {
        String field = "spec.volumeClaimTemplates";
        errors.add(
            new LoadError(
                statefulSet.entry().path(),
                lineOf(tree, statefulSet, field),
                field,
                field
                    + ": "
                    + describe(sts)
                    + " has no volumeClaimTemplate '"
                    + wanted
                    + "', which RolloutPolicy "
                    + policy.name()
                    + " snapshots (it has: "
                    + (have.isEmpty() ? "none" : String.join(", ", have))
                    + ")"));
      }
    }
  }

  /**
   * Checks that the templates an analysis names exist and that it passes every argument they
   * declare without a default: a missing one would only fail once a rollout reaches the analysis.
   */
  private static void checkTemplates(
      String file,
      AnalysisSite site,
      Map<String, AnalysisTemplate> templates,
      Set<String> broken,
      List<LoadError> errors) {
    Set<String> given = new HashSet<>();
    site.analysis().args().forEach(arg -> given.add(arg.name()));
    for (TemplateRef ref : site.templates()) {
      AnalysisTemplate template = templates.get(ref.templateName());
      if (broken.contains(OrdinalKinds.TEMPLATE_KIND + "/" + ref.templateName())) {
        continue;
      }
      if (template == null) {
        errors.add(
            refError(
                file,
                ref,
                "AnalysisTemplate '" + ref.templateName() + "' is not defined in this tree"));
        continue;
      }
      if (site.background()) {
        checkBackgroundPods(file, ref, template, errors);
      } else {
        checkStepCanEnd(file, ref, template, errors);
      }
      for (AnalysisArg arg : template.args()) {
        if (arg.value().isEmpty() && !given.contains(arg.name())) {
          String field = site.field() + ".args";
          errors.add(
              new LoadError(
                  file,
                  site.line(),
                  field,
                  field
                      + ": AnalysisTemplate '"
                      + template.name()
                      + "' needs argument '"
                      + arg.name()
                      + "', which is not given"));
        }
      }
    }
  }

  /**
   * A step's analysis must end by itself, or the rollout waits at that step forever: a metric with
   * an interval and no count measures until a limit decides, so in a step it needs
   * consecutiveSuccessLimit to be able to pass. (A background analysis ends with the rollout.)
   */
  private static void checkStepCanEnd(
      String file, TemplateRef ref, AnalysisTemplate template, List<LoadError> errors) {
    for (AnalysisTemplate.Metric metric : template.metrics()) {
      if (metric.interval().isPresent()
          && metric.count().isEmpty()
          && metric.consecutiveSuccessLimit() == 0) {
        errors.add(
            refError(
                file,
                ref,
                "AnalysisTemplate '"
                    + template.name()
                    + "', metric '"
                    + metric.name()
                    + "' has an interval and no count, so it measures until a limit decides and"
                    + " could hold this step forever; give the metric a count or a"
                    + " consecutiveSuccessLimit, or run the template as background analysis"
                    + " (spec.analysis)"));
      }
    }
  }

  private static final Pattern POD_PLACEHOLDER =
      Pattern.compile("\\{\\{\\s*rollout\\.(canaryPods|stablePods)\\s*}}");

  /**
   * A background analysis starts before any pod moves and keeps the context it started with, so
   * {@code {{rollout.canaryPods}}} would be empty and {@code {{rollout.stablePods}}} would go on
   * naming pods that have since moved to the new revision.
   */
  private static void checkBackgroundPods(
      String file, TemplateRef ref, AnalysisTemplate template, List<LoadError> errors) {
    for (AnalysisTemplate.Metric metric : template.metrics()) {
      AnalysisTemplate.Prometheus prometheus = (AnalysisTemplate.Prometheus) metric.provider();
      List<String> texts = new ArrayList<>(List.of(prometheus.query()));
      metric.successCondition().ifPresent(texts::add);
      metric.failureCondition().ifPresent(texts::add);
      for (String text : texts) {
        Matcher pods = POD_PLACEHOLDER.matcher(text);
        if (pods.find()) {
          errors.add(
              refError(
                  file,
                  ref,
                  "AnalysisTemplate '"
                      + template.name()
                      + "', metric '"
                      + metric.name()
                      + "' uses {{rollout."
                      + pods.group(1)
                      + "}}, which a background analysis cannot: it starts before any pod moves"
                      + " and keeps the pods it started with; select the canary by its revision"
                      + " instead (a pod label holding {{rollout.canaryRevision}})"));
          break;
        }
      }
    }
  }

  /** An error on the field that names a template: "spec.steps[1]...templateName: problem". */
  private static LoadError refError(String file, TemplateRef ref, String problem) {
    return new LoadError(file, ref.line(), ref.field(), ref.field() + ": " + problem);
  }

  /** A parsed document with the entry it came from. */
  private record Located<T extends ParsedDocument>(T document, SourceEntry entry) {}

  /**
   * The line of a field of a Kubernetes document, found by reading its blob again: lines are not
   * kept for Kubernetes documents, and this is only needed to report an error.
   */
  private static int lineOf(SourceTree tree, Located<KubernetesDocument> located, String field) {
    try {
      byte[] bytes = tree.reader().read(located.entry());
      Problems problems =
          new Problems(
              () -> YamlDocuments.fieldLines(bytes, located.document().index()),
              located.document().line());
      return problems.lineOf(field);
    } catch (IOException | RuntimeException e) {
      return located.document().line();
    }
  }

  private static LoadError duplicate(SourceLocation here, String what, SourceLocation first) {
    return new LoadError(
        here.file(), here.line(), "", "duplicate " + what + ", first defined at " + first);
  }

  /** Identity of an object in a cluster: group, kind, namespace and name. */
  private static String objectKey(HasMetadata resource) {
    String namespace = resource.getMetadata().getNamespace();
    return KubernetesKinds.group(resource.getApiVersion())
        + "/"
        + resource.getKind()
        + "/"
        + (namespace == null ? "" : namespace)
        + "/"
        + resource.getMetadata().getName();
  }

  /** "StatefulSet prod/db" or "ClusterRole admin". */
  private static String describe(HasMetadata resource) {
    String namespace = resource.getMetadata().getNamespace();
    return resource.getKind()
        + " "
        + (namespace == null ? "" : namespace + "/")
        + resource.getMetadata().getName();
  }
}
