package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.ordinal.manifest.ParsedBlob.AnalysisSite;
import dev.ordinal.manifest.ParsedBlob.ArgSite;
import dev.ordinal.manifest.ParsedBlob.KubernetesDocument;
import dev.ordinal.manifest.ParsedBlob.ParsedDocument;
import dev.ordinal.manifest.ParsedBlob.PolicyDocument;
import dev.ordinal.manifest.ParsedBlob.TemplateDocument;
import dev.ordinal.manifest.ParsedBlob.TemplateRef;
import dev.ordinal.manifest.Problems.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import java.io.IOException;
import java.util.ArrayList;
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
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link SourceTree} into a {@link DesiredState}, or into the complete list of what is
 * wrong with it.
 *
 * <p>Parsed blobs are cached by blob id, so loading the next commit re-parses only the files that
 * changed, and a file that several sources hold is parsed once unless their loads overlap. Each
 * load names its source (an app): a blob is kept while the latest tree of some source holds it, and
 * evicted when the last one drops it. Uncached blobs are parsed in parallel. One loader may be
 * shared between threads and between sources.
 */
public final class ManifestLoader {

  private final ConditionSyntax conditions;
  private final AnalysisTrust trust;
  private final OrdinalKinds ordinalKinds;
  private final KubernetesObjects kubernetesObjects;
  private final Map<String, ParsedBlob> cache = new ConcurrentHashMap<>();
  // The blob ids of each source's latest tree: what keeps a cached blob. Guarded by itself.
  private final Map<String, Set<String>> latestBySource = new HashMap<>();
  private final AtomicLong blobsParsed = new AtomicLong();
  // The previous load of each source, when it was valid, for the next load to patch. A load takes
  // its source's out
  // and puts back what it loaded. Loads of one source are not meant to overlap (AppSync's are
  // serialised): if they do, the blobs held for it may be miscounted, so that a blob is parsed
  // again or kept too long, but no load's result is wrong, as each keeps its own blobs.
  private final Map<String, LastValidLoad> lastValidBySource = new ConcurrentHashMap<>();
  private final AtomicLong loadsPatched = new AtomicLong();

  /**
   * A reader on the mapper that binds fabric8's model objects for every loader in this process.
   * Reading live objects with it reuses the deserializers a load has built, where a mapper of their
   * own would build them all again (a one-shot command's first LIST). A reader, not the mapper: a
   * reader cannot be reconfigured, and the mapper's settings are what every load relies on.
   */
  public static ObjectReader modelReader() {
    return MODEL_READER;
  }

  private static final ObjectReader MODEL_READER = KubernetesObjects.MAPPER.reader();

  /**
   * A loader that checks metric conditions with {@code conditions}, and no config to trust: an
   * AnalysisTemplate may name no address and no Secret (plain {@code ordinal validate}).
   */
  public ManifestLoader(ConditionSyntax conditions) {
    this(conditions, AnalysisTrust.UNCONFIGURED);
  }

  /** A loader whose AnalysisTemplates may use what {@code trust} allows (from Ordinal's config). */
  public ManifestLoader(ConditionSyntax conditions, AnalysisTrust trust) {
    this(conditions, trust, new KubernetesObjects(false, false));
  }

  private ManifestLoader(
      ConditionSyntax conditions, AnalysisTrust trust, KubernetesObjects kubernetesObjects) {
    this.conditions = conditions;
    this.trust = trust;
    this.ordinalKinds = new OrdinalKinds(conditions, trust);
    this.kubernetesObjects = kubernetesObjects;
  }

  /**
   * A loader like this one that refuses objects it cannot check offline (custom resources, alpha
   * APIs) instead of noting them; for {@code ordinal validate --strict}.
   */
  public ManifestLoader strict() {
    return new ManifestLoader(conditions, trust, kubernetesObjects.strict());
  }

  /**
   * A loader like this one for {@code ordinal validate}, which reports problems and counts objects
   * but applies nothing: it finds exactly the problems this one finds, but the objects of its
   * {@link DesiredState} are outlines (apiVersion, kind, metadata, a pod template's metadata, a
   * StatefulSet's claim templates' metadata), never to be applied. Binding a whole object to
   * fabric8's model, and keeping it until the load ends, cost validate about as much as all its
   * checks together; the outline is what the checks across files read.
   */
  public ManifestLoader checkOnly() {
    return new ManifestLoader(conditions, trust, kubernetesObjects.outlining());
  }

  /**
   * A deep copy of an object this loader read, for a caller that changes what it applies (labels,
   * namespace) and must leave the cached original as it was. Its empty lists and unknown-field maps
   * are shared and immutable ({@link SharedEmptyCollections}): replace them with a setter, never
   * add to them. Made with the mapper that read it: building deserializers for fabric8's large
   * model classes is the expensive part of a first load, and a mapper of the caller's own would
   * build them all again (a one-shot command paid more for that than for its plan).
   */
  public HasMetadata copy(HasMetadata object) {
    return KubernetesObjects.MAPPER.convertValue(object, object.getClass());
  }

  /**
   * A copy of an object this loader read, for a caller that changes only its metadata's fields and
   * a StatefulSet's update strategy (Ordinal's labels, namespace and partition). The object, its
   * metadata and a StatefulSet's spec are new objects with the original's values, and the update
   * strategy is a deep copy. Everything else, the labels map and a StatefulSet's pod and claim
   * templates among it, is the original's own: set a new value, never change one in place. The
   * daemon keeps such a copy of every object it manages next to the loader's; a deep one cost about
   * 2 KiB per StatefulSet more.
   */
  public HasMetadata copyMetadata(HasMetadata object) {
    HasMetadata copy = ShallowCopies.of(object);
    if (object.getMetadata() != null) {
      copy.setMetadata(ShallowCopies.of(object.getMetadata()));
    }
    if (copy instanceof StatefulSet sts && sts.getSpec() != null) {
      StatefulSetSpec spec = ShallowCopies.of(sts.getSpec());
      if (spec.getUpdateStrategy() != null) {
        spec.setUpdateStrategy(
            KubernetesObjects.MAPPER.convertValue(
                spec.getUpdateStrategy(), StatefulSetUpdateStrategy.class));
      }
      sts.setSpec(spec);
    }
    return copy;
  }

  /**
   * Loads every file of {@code tree}, the only source this loader reads (a one-shot command, or a
   * loader of one app's own). Never throws for bad content: unreadable files, syntax errors and
   * invalid objects all end up in {@link LoadResult.Invalid}.
   */
  public LoadResult load(SourceTree tree) {
    return load("", tree);
  }

  /**
   * Loads every file of {@code tree}, the latest tree of {@code source} (an app's name). Blobs that
   * {@code source}'s previous tree held and this one does not are evicted, unless another source's
   * latest tree holds them. Sources are a fixed set (the daemon's apps): each is remembered with
   * the blob ids of its latest tree for as long as the loader lives. A valid load is kept, with
   * where each of its objects was declared, so that the next load of the same source can patch it
   * when only a few plain files changed ({@link #patched}). Never throws for bad content, as {@link
   * #load(SourceTree)}.
   */
  public LoadResult load(String source, SourceTree tree) {
    LastValidLoad last = lastValidBySource.remove(source);
    if (last != null) {
      LoadResult patched = patched(source, tree, last);
      if (patched != null) {
        loadsPatched.incrementAndGet();
        return patched;
      }
    }
    List<SourceEntry> entries = new ArrayList<>(tree.entries());
    entries.sort(Comparator.comparing(SourceEntry::path));
    // The same content may sit at several paths; parse each blob id once.
    Map<String, SourceEntry> byBlob = new LinkedHashMap<>();
    for (SourceEntry entry : entries) {
      byBlob.putIfAbsent(entry.blobId(), entry);
    }
    Map<String, ParsedBlob> parsed = new HashMap<>(byBlob.size() * 4 / 3 + 1);
    List<SourceEntry> uncached = new ArrayList<>();
    for (SourceEntry entry : byBlob.values()) {
      ParsedBlob cached = cache.get(entry.blobId());
      if (cached != null) {
        parsed.put(entry.blobId(), cached);
      } else {
        uncached.add(entry);
      }
    }
    List<ParsedBlob> fresh = parseAll(tree, uncached);
    for (int i = 0; i < uncached.size(); i++) {
      parsed.put(uncached.get(i).blobId(), fresh.get(i));
    }
    List<ParsedBlob> blobs = new ArrayList<>(entries.size());
    for (SourceEntry entry : entries) {
      blobs.add(parsed.get(entry.blobId()));
    }
    Set<String> held = evictDropped(source, byBlob.keySet());
    WholeLoad whole = assemble(tree, entries, blobs);
    // Only a listing already in path order is kept to patch: its order is then the objects' order.
    if (whole.result() instanceof LoadResult.Loaded loaded
        && byBlob.size() == entries.size()
        && inListedOrder(tree.entries(), entries)) {
      lastValidBySource.put(
          source,
          new LastValidLoad(
              tree.entries(), blobs, whole.firstObject(), whole.objectKeys(), held, loaded));
    }
    return whole.result();
  }

  /**
   * Parses {@code entries} (each read from {@code tree}) and caches them, in parallel if several.
   */
  private List<ParsedBlob> parseAll(SourceTree tree, List<SourceEntry> entries) {
    // A sized parallel stream fills its list in place; a concurrent map would be one more map of
    // every blob, grown while the threads contend for it.
    return entries.size() == 1
        ? List.of(parseAndCache(tree, entries.get(0)))
        : entries.parallelStream().map(entry -> parseAndCache(tree, entry)).toList();
  }

  private static boolean inListedOrder(List<SourceEntry> listed, List<SourceEntry> sorted) {
    for (int i = 0; i < listed.size(); i++) {
      if (listed.get(i) != sorted.get(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * What the last valid load of a source assembled, kept so that its next load can patch it: each
   * listed file (in path order, its listing order) with its parsed blob, where each file's objects
   * start in the state's list (one more index marks the end), where each object was declared, and
   * the set of blob ids that the loader keeps for the source ({@code latestBySource}'s). Every
   * file's blob is its own: no two files of the source had the same content.
   */
  private record LastValidLoad(
      List<SourceEntry> listed,
      List<ParsedBlob> blobs,
      int[] firstObject,
      Map<Identity, SourceLocation> objectKeys,
      Set<String> held,
      LoadResult.Loaded result) {}

  /** At most this many changed files are patched in; more are loaded whole. */
  private static final int PATCH_LIMIT = 64;

  /**
   * The load of {@code tree} made by patching the last valid load of {@code source}, or null when
   * it must be loaded whole. A commit that changes a few files of a large tree would otherwise pay
   * a pass over every file and object (sorting, hashing each blob id and each object's identity,
   * the checks across files) for each of its few changes: at 10,000 files, more than its fetch.
   *
   * <p>It patches only what cannot change what the other files mean: the same paths as before, at
   * most {@value #PATCH_LIMIT} with new content, and each changed file, before and after, holding
   * only Kubernetes objects and no problem at all. Policies and templates stay as they were, and
   * with them every check of an unchanged StatefulSet. Anything else, a duplicate object or an
   * error among them, is left to the whole load, which reports it as it always has.
   */
  private LoadResult patched(String source, SourceTree tree, LastValidLoad last) {
    List<SourceEntry> listed = tree.entries();
    int size = listed.size();
    if (size != last.listed().size()) {
      return null;
    }
    List<Integer> changed = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      SourceEntry now = listed.get(i);
      SourceEntry before = last.listed().get(i);
      // The Git lister hands back the same entry for a file whose blob did not change.
      if (now == before) {
        continue;
      }
      if (!now.path().equals(before.path())) {
        return null; // a file added, removed or renamed
      }
      if (!now.blobId().equals(before.blobId())) {
        if (changed.size() == PATCH_LIMIT) {
          return null;
        }
        changed.add(i);
      }
    }
    for (int i : changed) {
      if (!onlyValidObjects(last.blobs().get(i))) {
        return null;
      }
    }
    List<SourceEntry> uncached = new ArrayList<>();
    for (int i : changed) {
      if (!cache.containsKey(listed.get(i).blobId())) {
        uncached.add(listed.get(i));
      }
    }
    parseAll(tree, uncached);
    List<ParsedBlob> blobs = new ArrayList<>(last.blobs());
    for (int i : changed) {
      ParsedBlob blob = cache.get(listed.get(i).blobId());
      if (blob == null || !onlyValidObjects(blob)) {
        return null; // evicted meanwhile, or with something to report: the whole load says it
      }
      blobs.set(i, blob);
    }

    Map<Identity, SourceLocation> objectKeys = last.objectKeys();
    for (int i : changed) {
      for (ParsedDocument document : last.blobs().get(i).documents()) {
        objectKeys.remove(objectKey(((KubernetesDocument) document).resource()));
      }
    }
    Map<String, RolloutPolicy> policies = last.result().state().policies();
    List<LoadError> errors = new ArrayList<>();
    Map<String, byte[]> blobsRead = new HashMap<>();
    for (int i : changed) {
      SourceEntry entry = listed.get(i);
      for (ParsedDocument document : blobs.get(i).documents()) {
        KubernetesDocument kubernetes = (KubernetesDocument) document;
        SourceLocation here = new SourceLocation(entry.path(), kubernetes.line());
        if (objectKeys.putIfAbsent(objectKey(kubernetes.resource()), here) != null) {
          return null; // a duplicate: the whole load reports it, at both places
        }
        if (kubernetes.resource() instanceof StatefulSet) {
          checkStatefulSet(
              tree, new Located<>(kubernetes, entry), policies, Set.of(), "", blobsRead, errors);
        }
      }
    }
    if (!errors.isEmpty()) {
      return null;
    }

    List<ManifestObject> before = last.result().state().objects();
    int[] firstBefore = last.firstObject();
    int[] firstObject = new int[size + 1];
    List<ManifestObject> objects = new ArrayList<>(before.size() + changed.size());
    int copied = 0; // the files before this one have their objects in the list
    for (int i : changed) {
      objects.addAll(before.subList(firstBefore[copied], firstBefore[i]));
      SourceEntry entry = listed.get(i);
      for (ParsedDocument document : blobs.get(i).documents()) {
        KubernetesDocument kubernetes = (KubernetesDocument) document;
        objects.add(
            new ManifestObject(
                kubernetes.resource(), new SourceLocation(entry.path(), kubernetes.line())));
      }
      copied = i + 1;
    }
    objects.addAll(before.subList(firstBefore[copied], firstBefore[size]));
    int shift = 0;
    int next = 0; // the next changed file's place in changed
    for (int i = 0; i <= size; i++) {
      firstObject[i] = firstBefore[i] + shift;
      if (next < changed.size() && changed.get(next) == i) {
        shift += blobs.get(i).documents().size() - last.blobs().get(i).documents().size();
        next++;
      }
    }

    if (!keepPatched(source, last, listed, changed)) {
      return null;
    }
    DesiredState state = last.result().state();
    LoadResult.Loaded loaded =
        new LoadResult.Loaded(
            new DesiredState(tree.revision(), objects, state.policies(), state.templates()),
            last.result().notes());
    lastValidBySource.put(
        source, new LastValidLoad(listed, blobs, firstObject, objectKeys, last.held(), loaded));
    return loaded;
  }

  /** Whether a blob holds Kubernetes objects only, all valid, and nothing to note. */
  private static boolean onlyValidObjects(ParsedBlob blob) {
    if (!blob.problems().isEmpty() || !blob.brokenOrdinalObjects().isEmpty()) {
      return false;
    }
    for (ParsedDocument document : blob.documents()) {
      if (!(document instanceof KubernetesDocument)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Makes the changed files' new blobs held by {@code source} in place of their old ones, and
   * evicts each old one that no source holds now; false, changing nothing, when the source's held
   * blobs are no longer the set the last load kept (another load of it ran since), or when a new
   * blob is one the source holds already (the same content at two paths, which only the whole load
   * keeps count of).
   */
  private boolean keepPatched(
      String source, LastValidLoad last, List<SourceEntry> listed, List<Integer> changed) {
    synchronized (latestBySource) {
      Set<String> held = latestBySource.get(source);
      if (held != last.held()) {
        return false;
      }
      Set<String> added = new HashSet<>();
      for (int i : changed) {
        String blobId = listed.get(i).blobId();
        if (held.contains(blobId) || !added.add(blobId)) {
          return false;
        }
      }
      for (int i : changed) {
        String dropped = last.listed().get(i).blobId();
        held.remove(dropped);
        if (!heldByAnother(source, dropped)) {
          cache.remove(dropped);
        }
      }
      held.addAll(added);
      return true;
    }
  }

  /**
   * Makes {@code held} the blobs {@code source} keeps, and evicts those its previous tree held that
   * no source holds now; returns the set kept. A race with a load of another source can only evict
   * a blob that load has in hand already, so that source parses it again on its next load; it never
   * hands out a wrong one, as ids are content hashes.
   */
  private Set<String> evictDropped(String source, Set<String> held) {
    synchronized (latestBySource) {
      Set<String> previous = latestBySource.get(source);
      if (previous != null && previous.size() == held.size() && previous.containsAll(held)) {
        return previous; // the same blobs as last time (an idle resync): nothing to keep or evict
      }
      // Mutable: a patched load swaps the ids of the files it changed (keepPatched).
      Set<String> kept = new HashSet<>(held);
      latestBySource.put(source, kept);
      if (previous != null) {
        for (String blobId : previous) {
          if (!held.contains(blobId) && !heldByAnother(source, blobId)) {
            cache.remove(blobId);
          }
        }
      }
      return kept;
    }
  }

  private boolean heldByAnother(String source, String blobId) {
    for (Map.Entry<String, Set<String>> other : latestBySource.entrySet()) {
      if (!other.getKey().equals(source) && other.getValue().contains(blobId)) {
        return true;
      }
    }
    return false;
  }

  /** How many blobs this loader has parsed since it was created (cache misses). */
  public long blobsParsed() {
    return blobsParsed.get();
  }

  /**
   * How many loads were made by patching the source's last one ({@link #load(String, SourceTree)}).
   */
  public long loadsPatched() {
    return loadsPatched.get();
  }

  /** How many parsed blobs are cached now. */
  public int cachedBlobs() {
    return cache.size();
  }

  /** Forgets every parsed blob, so the next load parses everything again. */
  public void clearCache() {
    cache.clear();
    lastValidBySource.clear();
    synchronized (latestBySource) {
      latestBySource.clear();
    }
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
      return ParsedBlob.failed(Problem.error(1, "cannot read file: " + ReadFailures.why(e)));
    }
    ParsedBlob parsed;
    try {
      parsed = parse(bytes);
    } catch (RuntimeException e) {
      // A bug here must not hide the errors of the other files; the tree is invalid either way.
      parsed = ParsedBlob.failed(Problem.error(1, "cannot parse file: " + e));
    }
    blobsParsed.incrementAndGet();
    cache.put(entry.blobId(), parsed);
    return parsed;
  }

  /** Parses and validates the documents of one blob on their own. */
  ParsedBlob parse(byte[] bytes) {
    List<Problem> problems = new ArrayList<>();
    List<ParsedDocument> documents = new ArrayList<>(1);
    List<String> broken = new ArrayList<>();
    // Each document is checked as soon as it is read and its tree then dropped: only what it
    // parsed into and its problems are kept.
    YamlDocuments.Read read =
        YamlDocuments.read(
            bytes,
            document -> {
              YamlDocuments.Origin origin = document.origin();
              Problems documentProblems = new Problems(document::positions, origin.line());
              Found found = new Found(new ArrayList<>(1), broken);
              parseDocument(document.root(), origin, "", documentProblems, found);
              if (documentProblems.isEmpty()) {
                documents.addAll(found.parsed());
              }
              problems.addAll(documentProblems.list());
            });
    if (read.problem() != null) {
      // First, as when the documents before it were read ahead of their checks.
      problems.add(0, read.problem());
    }
    return new ParsedBlob(documents, problems, broken, read.problem() != null);
  }

  /**
   * Parses one object into {@code parsed}; a {@code kind: List} is expanded into its items, as
   * kubectl does. {@code path} is where the object sits in its document ("" or "items[2]").
   */
  private void parseDocument(
      JsonNode root, YamlDocuments.Origin origin, String path, Problems problems, Found found) {
    int before = problems.size();
    ParsedDocument document = parseObject(root, origin, path, problems, found);
    if (document != null && problems.size() == before) {
      found.parsed().add(document);
    }
    if (problems.size() != before && root.isObject()) {
      String declared = OrdinalKinds.declaredName(root);
      if (declared != null) {
        found.broken().add(declared);
      }
    }
  }

  /** What the documents of one blob parsed into, and the Ordinal objects that did not parse. */
  private record Found(List<ParsedDocument> parsed, List<String> broken) {}

  private ParsedDocument parseObject(
      JsonNode root, YamlDocuments.Origin origin, String path, Problems problems, Found found) {
    if (!root.isObject()) {
      problems.add(
          "", "a document must be a mapping with apiVersion and kind, got " + describeShape(root));
      return null;
    }
    if (RenderFirst.isKustomization(root)) {
      problems.add("", RenderFirst.KUSTOMIZATION);
      return null;
    }
    String apiVersion = identifier(root, "apiVersion", problems);
    String kind = identifier(root, "kind", problems);
    if (apiVersion == null || kind == null) {
      return null;
    }
    if (isList(apiVersion, kind, root)) {
      JsonNode items = root.get("items");
      if (items == null || !items.isArray()) {
        problems.expected(
            "items", "a list of objects", items == null ? MissingNode.getInstance() : items);
        return null;
      }
      for (int i = 0; i < items.size(); i++) {
        String item = Problems.child(path, "items") + "[" + i + "]";
        parseDocument(items.get(i), origin, item, problems.within("items[" + i + "]"), found);
      }
      return null;
    }
    int line = path.isEmpty() ? origin.line() : problems.lineOf("");
    String group = ApiVersions.group(apiVersion);
    if (group.equals(OrdinalKinds.GROUP)) {
      if (!apiVersion.equals(OrdinalKinds.API_VERSION)) {
        problems.add(
            "apiVersion",
            "unsupported apiVersion '" + apiVersion + "'; supported: " + OrdinalKinds.API_VERSION);
        return null;
      }
      return ordinalKinds.parse(kind, root, line, problems);
    }
    HasMetadata resource = kubernetesObjects.read(root, apiVersion, kind, problems);
    return resource == null
        ? null
        : new KubernetesDocument(SharedStrings.share(resource), line, origin, path);
  }

  /**
   * A list to expand as kubectl does: {@code v1 List}, or a typed list such as {@code
   * ConfigMapList} (anything named *List with items).
   */
  private static boolean isList(String apiVersion, String kind, JsonNode root) {
    return (kind.equals("List") && apiVersion.equals("v1"))
        || (kind.endsWith("List")
            && kind.length() > 4
            && root.has("items")
            && KubernetesKinds.isBuiltInGroup(ApiVersions.group(apiVersion)));
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

  private static String describeShape(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    return "the scalar " + Problems.describe(node);
  }

  /**
   * A whole load's result, with where each file's objects start in its state (one more index marks
   * the end) and where each object was declared, for the next load to patch.
   */
  private record WholeLoad(
      LoadResult result, int[] firstObject, Map<Identity, SourceLocation> objectKeys) {}

  /** Checks across files, then builds the state or the sorted list of errors. */
  private WholeLoad assemble(SourceTree tree, List<SourceEntry> entries, List<ParsedBlob> blobs) {
    List<LoadError> errors = new ArrayList<>();
    List<LoadError> notes = new ArrayList<>();
    List<LoadResult.Duplicate> duplicates = new ArrayList<>();
    List<ManifestObject> objects = new ArrayList<>();
    Map<Identity, SourceLocation> objectKeys = new HashMap<>();
    Map<String, RolloutPolicy> policies = new LinkedHashMap<>();
    Map<String, SourceLocation> policySources = new HashMap<>();
    Map<String, AnalysisTemplate> templates = new LinkedHashMap<>();
    Map<String, SourceLocation> templateSources = new HashMap<>();
    List<Located<PolicyDocument>> policyDocuments = new ArrayList<>();
    List<Located<KubernetesDocument>> statefulSets = new ArrayList<>();
    // Ordinal objects whose own errors are reported; references to them are not errors too.
    Set<String> broken = new HashSet<>();
    // Files with documents that could not be read: a name missing from the tree may be in them.
    Set<String> unread = new java.util.TreeSet<>();
    int[] firstObject = new int[entries.size() + 1];

    for (int i = 0; i < entries.size(); i++) {
      firstObject[i] = objects.size();
      String file = entries.get(i).path();
      ParsedBlob blob = blobs.get(i);
      String notAManifest = RenderFirst.problemForFile(file);
      if (notAManifest != null) {
        errors.add(new LoadError(file, 1, "", notAManifest));
        unread.add(file);
        continue;
      }
      if (blob.unreadDocuments()) {
        unread.add(file);
      }
      for (Problem problem : blob.problems()) {
        (problem.isError() ? errors : notes).add(problem.in(file));
      }
      broken.addAll(blob.brokenOrdinalObjects());
      for (ParsedDocument document : blob.documents()) {
        SourceLocation here = new SourceLocation(file, document.line());
        if (document instanceof KubernetesDocument kubernetes) {
          HasMetadata resource = kubernetes.resource();
          Identity key = objectKey(resource);
          SourceLocation first = objectKeys.putIfAbsent(key, here);
          if (first != null) {
            errors.add(duplicate(here, describe(resource), first));
            duplicates.add(new LoadResult.Duplicate(first, here));
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
            duplicates.add(new LoadResult.Duplicate(first, here));
            continue;
          }
          policies.put(name, policy.policy());
          policyDocuments.add(new Located<>(policy, entries.get(i)));
        } else if (document instanceof TemplateDocument template) {
          String name = template.template().name();
          SourceLocation first = templateSources.putIfAbsent(name, here);
          if (first != null) {
            errors.add(duplicate(here, "AnalysisTemplate " + name, first));
            duplicates.add(new LoadResult.Duplicate(first, here));
            continue;
          }
          templates.put(name, template.template());
        }
      }
    }

    // A policy or template in a file that failed to parse is in neither map, nor among the broken:
    // a reference to it must not read as if nothing defined it.
    String unreadHint = unreadHint(unread);
    for (Located<PolicyDocument> policy : policyDocuments) {
      for (AnalysisSite site : policy.document().analyses()) {
        checkTemplates(
            policy.entry().path(), site, templates, broken, unreadHint, conditions, errors);
      }
    }

    firstObject[entries.size()] = objects.size();

    Map<String, byte[]> blobsRead = new HashMap<>();
    for (Located<KubernetesDocument> statefulSet : statefulSets) {
      checkStatefulSet(tree, statefulSet, policies, broken, unreadHint, blobsRead, errors);
    }

    notes.sort(LoadError.BY_PLACE);
    if (!errors.isEmpty()) {
      errors.sort(LoadError.BY_PLACE);
      return new WholeLoad(new LoadResult.Invalid(errors, notes, duplicates), null, null);
    }
    return new WholeLoad(
        new LoadResult.Loaded(
            new DesiredState(tree.revision(), objects, policies, templates), notes),
        firstObject,
        objectKeys);
  }

  /**
   * The checks of one StatefulSet that read other documents: its policy, that policy's backup
   * templates, and its opt-in for changes Kubernetes forbids.
   */
  private static void checkStatefulSet(
      SourceTree tree,
      Located<KubernetesDocument> statefulSet,
      Map<String, RolloutPolicy> policies,
      Set<String> broken,
      String unreadHint,
      Map<String, byte[]> blobsRead,
      List<LoadError> errors) {
    HasMetadata resource = statefulSet.document().resource();
    DesiredState.Governance governance = DesiredState.govern(resource, policies);
    if (governance instanceof DesiredState.Governance.UnknownPolicy unknown
        && broken.contains(OrdinalKinds.POLICY_KIND + "/" + unknown.name())) {
      return;
    }
    if (governance instanceof DesiredState.Governance.Governed governed) {
      checkBackupTemplates(tree, statefulSet, governed.policy(), blobsRead, errors);
    }
    checkImmutableChanges(tree, statefulSet, blobsRead, errors);
    checkOrdinalKeys(tree, statefulSet, blobsRead, errors);
    String problem = governance.problem();
    if (!problem.isEmpty()) {
      boolean byAnnotation = !(governance instanceof DesiredState.Governance.Ambiguous);
      String field = byAnnotation ? "metadata.annotations." + RolloutPolicy.POLICY_ANNOTATION : "";
      int line =
          byAnnotation
              ? lineOf(tree, statefulSet, field, blobsRead)
              : statefulSet.document().line();
      String message =
          describe(resource)
              + " "
              + problem
              + (governance instanceof DesiredState.Governance.UnknownPolicy ? unreadHint : "");
      errors.add(
          new LoadError(
              statefulSet.entry().path(),
              line,
              field,
              field.isEmpty() ? message : field + ": " + message));
    }
  }

  /** The annotations Ordinal reads from a StatefulSet in Git. */
  private static final List<String> STATEFULSET_ANNOTATIONS =
      List.of(RolloutPolicy.POLICY_ANNOTATION, RolloutPolicy.IMMUTABLE_CHANGES_ANNOTATION);

  /**
   * Ordinal's StatefulSet annotations where Ordinal reads them, spelt as it reads them: a typo in
   * the key, or the key put among the labels or on the pod template, leaves the StatefulSet without
   * its policy, and its pods would roll with no canary and no analysis, without a word. Other
   * {@code ordinal.dev/} keys are left alone (Ordinal writes several on live objects, which a
   * manifest copied from the cluster may carry); only one a letter or two from a key Ordinal reads
   * is taken for a typo.
   */
  private static void checkOrdinalKeys(
      SourceTree tree,
      Located<KubernetesDocument> statefulSet,
      Map<String, byte[]> blobsRead,
      List<LoadError> errors) {
    StatefulSet sts = (StatefulSet) statefulSet.document().resource();
    Map<String, String> annotations = sts.getMetadata().getAnnotations();
    if (annotations != null) {
      for (String key : annotations.keySet()) {
        if (key.startsWith("ordinal.dev/") && !STATEFULSET_ANNOTATIONS.contains(key)) {
          String meant = Suggestions.closest(key, STATEFULSET_ANNOTATIONS);
          if (meant != null) {
            errors.add(
                fieldError(
                    tree,
                    statefulSet,
                    "metadata.annotations." + key,
                    "Ordinal reads no annotation '"
                        + Escapes.controls(key)
                        + "'; did you mean '"
                        + meant
                        + "'?",
                    blobsRead));
          }
        }
      }
    }
    Map<String, Map<String, String>> elsewhere = new LinkedHashMap<>();
    elsewhere.put("metadata.labels", sts.getMetadata().getLabels());
    ObjectMeta template =
        sts.getSpec() == null || sts.getSpec().getTemplate() == null
            ? null
            : sts.getSpec().getTemplate().getMetadata();
    if (template != null) {
      elsewhere.put("spec.template.metadata.annotations", template.getAnnotations());
      elsewhere.put("spec.template.metadata.labels", template.getLabels());
    }
    elsewhere.forEach(
        (where, keys) -> {
          for (String key : STATEFULSET_ANNOTATIONS) {
            if (keys != null && keys.containsKey(key)) {
              errors.add(
                  fieldError(
                      tree,
                      statefulSet,
                      where + "." + key,
                      "Ordinal reads "
                          + key
                          + " from the StatefulSet's own metadata.annotations, not from "
                          + where
                          + "; move it there",
                      blobsRead));
            }
          }
        });
  }

  /**
   * The StatefulSet's own opt-in for changes Kubernetes forbids must be a value Ordinal knows: a
   * typo read as "refuse" would hide that the opt-in never took effect.
   */
  private static void checkImmutableChanges(
      SourceTree tree,
      Located<KubernetesDocument> statefulSet,
      Map<String, byte[]> blobsRead,
      List<LoadError> errors) {
    HasMetadata resource = statefulSet.document().resource();
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    String value =
        annotations == null ? null : annotations.get(RolloutPolicy.IMMUTABLE_CHANGES_ANNOTATION);
    if (value == null || RolloutPolicy.ImmutableChanges.parse(value).isPresent()) {
      return;
    }
    errors.add(
        fieldError(
            tree,
            statefulSet,
            "metadata.annotations." + RolloutPolicy.IMMUTABLE_CHANGES_ANNOTATION,
            describe(resource)
                + " asks for '"
                + value
                + "'; allowed values: refuse, recreate (recreate lets Ordinal grow its volumes by"
                + " recreating the StatefulSet)",
            blobsRead));
  }

  /** An error at {@code field} of a Kubernetes document, its line found by reading it again. */
  private static LoadError fieldError(
      SourceTree tree,
      Located<KubernetesDocument> document,
      String field,
      String message,
      Map<String, byte[]> blobsRead) {
    return new LoadError(
        document.entry().path(),
        lineOf(tree, document, field, blobsRead),
        field,
        field + ": " + message);
  }

  /**
   * A policy that snapshots named volumeClaimTemplates must find each in the StatefulSets it
   * governs: otherwise a rollout would go ahead with a claim never copied.
   */
  private static void checkBackupTemplates(
      SourceTree tree,
      Located<KubernetesDocument> statefulSet,
      RolloutPolicy policy,
      Map<String, byte[]> blobsRead,
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
        errors.add(
            fieldError(
                tree,
                statefulSet,
                "spec.volumeClaimTemplates",
                describe(sts)
                    + " has no volumeClaimTemplate '"
                    + wanted
                    + "', which RolloutPolicy "
                    + policy.name()
                    + " snapshots (it has: "
                    + (have.isEmpty() ? "none" : String.join(", ", have))
                    + ")",
                blobsRead));
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
      String unreadHint,
      ConditionSyntax conditions,
      List<LoadError> errors) {
    Set<String> given = new HashSet<>();
    site.analysis().args().forEach(arg -> given.add(arg.name()));
    // Every arg a template declares, or null when a template is broken or missing (then which
    // args it would declare is unknown, and its own error says enough).
    Set<String> declared = new java.util.TreeSet<>();
    for (TemplateRef ref : site.templates()) {
      AnalysisTemplate template = templates.get(ref.templateName());
      if (broken.contains(OrdinalKinds.TEMPLATE_KIND + "/" + ref.templateName())) {
        declared = null;
        continue;
      }
      if (template == null) {
        declared = null;
        errors.add(
            refError(
                file,
                ref,
                "AnalysisTemplate '"
                    + ref.templateName()
                    + "' is not defined in this tree"
                    + unreadHint));
        continue;
      }
      if (site.background()) {
        checkBackgroundPods(file, ref, template, errors);
      } else {
        checkStepCanEnd(file, ref, template, errors);
      }
      checkArgValues(file, site, template, conditions, errors);
      for (AnalysisArg arg : template.args()) {
        if (declared != null) {
          declared.add(arg.name());
        }
        if (arg.value().isEmpty() && !given.contains(arg.name())) {
          errors.add(
              argsError(
                  file,
                  site,
                  template,
                  null,
                  "needs argument '" + arg.name() + "', which is not given"));
        }
      }
    }
    if (declared == null) {
      return;
    }
    List<AnalysisArg> args = site.analysis().args();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i).name();
      if (!declared.contains(name)) {
        // Templates take the args they declare and drop the rest: a misspelt name would leave the
        // template's default in place, and the user would never know.
        ArgSite where = site.args().get(i);
        errors.add(
            new LoadError(
                file,
                where.nameLine(),
                where.nameField(),
                where.nameField()
                    + ": no AnalysisTemplate of this analysis declares argument '"
                    + Escapes.controls(name)
                    + "'"
                    + (declared.isEmpty()
                        ? "; they declare none"
                        : "; they declare "
                            + String.join(", ", declared)
                            + didYouMean(Suggestions.closest(name, declared)))));
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
   * The line of a field of a Kubernetes document, found by reading that document again: lines are
   * not kept for Kubernetes documents, and this is only needed to report an error. {@code blobs}
   * keeps each blob read once per load, so N such errors in one file cost O(N).
   */
  private static int lineOf(
      SourceTree tree,
      Located<KubernetesDocument> located,
      String field,
      Map<String, byte[]> blobs) {
    KubernetesDocument document = located.document();
    try {
      byte[] bytes = blobs.get(located.entry().blobId());
      if (bytes == null) {
        bytes = tree.reader().read(located.entry());
        blobs.put(located.entry().blobId(), bytes);
      }
      byte[] content = bytes;
      Problems problems =
          new Problems(() -> document.origin().positions(content), document.origin().line());
      return (document.path().isEmpty() ? problems : problems.within(document.path()))
          .lineOf(field);
    } catch (IOException | RuntimeException e) {
      return document.line();
    }
  }

  private static LoadError duplicate(SourceLocation here, String what, SourceLocation first) {
    return new LoadError(
        here.file(),
        here.line(),
        "",
        "duplicate "
            + what
            + ", first defined at "
            + first
            + "; an app declares each object once: remove one, or rename it");
  }

  /** An object's identity in the tree, for finding one declared twice. */
  private record Identity(String group, String kind, String namespace, String name) {}

  private static Identity objectKey(HasMetadata resource) {
    String namespace = resource.getMetadata().getNamespace();
    return new Identity(
        ApiVersions.group(resource.getApiVersion()),
        resource.getKind(),
        namespace == null ? "" : namespace,
        resource.getMetadata().getName());
  }

  /** "StatefulSet prod/db" or "ClusterRole admin". */
  private static String describe(HasMetadata resource) {
    String namespace = resource.getMetadata().getNamespace();
    return resource.getKind()
        + " "
        + (namespace == null ? "" : namespace + "/")
        + resource.getMetadata().getName();
  }

  private static String didYouMean(String closest) {
    return closest == null ? "" : " (did you mean '" + closest + "'?)";
  }

  /**
   * The values an analysis passes, where its template puts them: in a condition (a number compared
   * with "abc") and in a query (PromQL outside quotes). The template's own defaults were checked
   * when it loaded; a value passed here would otherwise fail only once a rollout reaches the
   * analysis, with its verdict an error.
   */
  private static void checkArgValues(
      String file,
      AnalysisSite site,
      AnalysisTemplate template,
      ConditionSyntax conditions,
      List<LoadError> errors) {
    Map<String, String> values = new HashMap<>();
    boolean passed = false;
    for (AnalysisArg arg : template.args()) {
      Optional<String> given =
          site.analysis().args().stream()
              .filter(a -> a.name().equals(arg.name()))
              .findFirst()
              .flatMap(AnalysisArg::value);
      passed |= given.isPresent();
      given.or(arg::value).ifPresent(value -> values.put(arg.name(), value));
    }
    if (!passed) {
      return;
    }
    for (AnalysisTemplate.Metric metric : template.metrics()) {
      List<Function<Map<String, String>, Optional<String>>> checks = new ArrayList<>();
      metric.successCondition().ifPresent(c -> checks.add(args -> conditions.checkBound(c, args)));
      metric.failureCondition().ifPresent(c -> checks.add(args -> conditions.checkBound(c, args)));
      if (metric.provider() instanceof AnalysisTemplate.Prometheus prometheus) {
        checks.add(args -> conditions.checkQuery(prometheus.query(), args));
      }
      for (Function<Map<String, String>, Optional<String>> check : checks) {
        Optional<String> problem = check.apply(values);
        if (problem.isPresent()) {
          int culprit = culprit(site, check, values, problem.get());
          errors.add(
              culprit < 0
                  ? argsError(file, site, template, metric.name(), problem.get())
                  : argError(file, site.args().get(culprit), template, metric, problem.get()));
        }
      }
    }
  }

  /**
   * Which of the args an analysis passes makes {@code check} report {@code problem}: the one whose
   * value, replaced by a stand-in safe wherever a value sits ("0"), makes the problem go; -1 when
   * none or more than one does, and the args line is named instead. Found by trying, not by reading
   * the message: the checker says what is wrong, not which arg.
   */
  private static int culprit(
      AnalysisSite site,
      Function<Map<String, String>, Optional<String>> check,
      Map<String, String> values,
      String problem) {
    List<AnalysisArg> args = site.analysis().args();
    int found = -1;
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i).name();
      if (args.get(i).value().isEmpty() || !values.containsKey(name)) {
        continue;
      }
      Map<String, String> without = new HashMap<>(values);
      without.put(name, "0");
      if (!check.apply(without).equals(Optional.of(problem))) {
        if (found >= 0) {
          return -1;
        }
        found = i;
      }
    }
    return found < site.args().size() ? found : -1;
  }

  /** An error in the value of one arg an analysis passes, on that arg's line. */
  private static LoadError argError(
      String file,
      ArgSite arg,
      AnalysisTemplate template,
      AnalysisTemplate.Metric metric,
      String message) {
    String field = arg.valueField();
    return new LoadError(
        file,
        arg.valueLine(),
        field,
        field
            + ": AnalysisTemplate '"
            + template.name()
            + "', metric '"
            + Escapes.controls(metric.name())
            + "': "
            + message);
  }

  /**
   * An error in the args an analysis passes to {@code template}: of the template as a whole ("...
   * needs argument x"), or of one of its metrics when {@code metric} is not null.
   */
  private static LoadError argsError(
      String file, AnalysisSite site, AnalysisTemplate template, String metric, String message) {
    return siteError(
        file,
        site,
        site.field() + ".args",
        "AnalysisTemplate '"
            + template.name()
            + (metric == null ? "' " : "', metric '" + Escapes.controls(metric) + "': ")
            + message);
  }

  /** An error at an analysis of a policy, on its line, the field named before the message. */
  private static LoadError siteError(String file, AnalysisSite site, String field, String message) {
    return new LoadError(file, site.line(), field, field + ": " + message);
  }

  /**
   * What to add to "is not defined in this tree" when files of the tree could not be read whole:
   * one of them may be where the name is defined. Empty when every file was read.
   */
  private static String unreadHint(Set<String> files) {
    if (files.isEmpty()) {
      return "";
    }
    List<String> named = files.stream().limit(3).map(Escapes::controls).toList();
    return " (or it is in "
        + (files.size() == 1
            ? named.get(0)
            : String.join(", ", named) + (files.size() > 3 ? ", ..." : ""))
        + ", whose errors kept it from being read: fix "
        + (files.size() == 1 ? "that" : "those")
        + " first)";
  }
}
