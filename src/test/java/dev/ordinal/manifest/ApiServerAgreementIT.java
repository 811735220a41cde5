package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.plan.ObjectKey;
import dev.ordinal.testkit.ControlPlaneTest;
import dev.ordinal.testkit.Loaders;
import dev.ordinal.testkit.TestNamespace;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The real proof that {@code ordinal validate} is as strict as the API server: every object of the
 * malformed corpus (and of the valid example trees) that is valid YAML and names an apiVersion and
 * kind is sent to a real Kubernetes API server as a server-side dry-run apply, exactly as written.
 * Whenever the server rejects an object, Ordinal must reject it too.
 *
 * <p>Ordinal's verdict on an object is taken from loading its whole case, as {@code ordinal
 * validate} would: the object is rejected when an error points into its lines. The agreement is
 * printed; for built-in kinds (the ones Ordinal checks offline) it must be 100%. Custom resources
 * are only noted by Ordinal, and this bare server has no CRDs, so their figure is printed apart.
 */
@ControlPlaneTest
class ApiServerAgreementIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One object of a case, as written, with the lines it spans in its file. */
  record Sample(String source, String file, int fromLine, int toLine, String text, JsonNode root) {
    String apiVersion() {
      return root.path("apiVersion").asText();
    }

    String kind() {
      return root.path("kind").asText();
    }

    boolean builtIn() {
      return !(KubernetesKinds.lookup(apiVersion(), kind())
          instanceof KubernetesKinds.Lookup.Custom);
    }

    String label() {
      return source + "/" + file + ":" + fromLine + " (" + apiVersion() + " " + kind() + ")";
    }
  }

  record Verdict(boolean rejected, String message) {}

  @Test
  void everyObjectTheApiServerRejectsOrdinalRejectsToo(
      KubernetesClient shared, TestNamespace namespace) throws Exception {
    // The server answers some rejections with 500; the client must not retry them for 20 s each.
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(shared.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      compareVerdicts(client, namespace);
    }
  }

  private void compareVerdicts(KubernetesClient client, TestNamespace namespace) throws Exception {
    Map<String, Path> sources = new TreeMap<>();
    Path corpus = MalformedManifestsTest.corpus();
    try (Stream<Path> cases = Files.list(corpus)) {
      cases.forEach(folder -> sources.put("malformed/" + folder.getFileName(), folder));
    }
    for (String valid :
        List.of(
            "examples/minimal",
            "examples/orders-db/envs/staging",
            "examples/orders-db/envs/prod",
            "src/test/resources/manifest/valid/app",
            "src/test/resources/manifest/valid/edge-cases")) {
      sources.put(valid, Path.of(valid));
    }
    Discovery discovery = Discovery.of(client);
    ManifestLoader loader = Loaders.forFixtures();

    int serverRejected = 0;
    int bothRejected = 0;
    int serverAccepted = 0;
    int onlyOrdinalRejected = 0;
    int customServerRejected = 0;
    int customBothRejected = 0;
    List<String> missed = new ArrayList<>();
    List<String> stricter = new ArrayList<>();
    for (Map.Entry<String, Path> source : sources.entrySet()) {
      List<LoadError> errors = errorsOf(loader, source.getValue());
      for (Sample sample : samples(source.getKey(), source.getValue())) {
        Verdict server = dryRunApply(client, discovery, sample, namespace.name());
        boolean ordinal =
            errors.stream()
                .anyMatch(
                    error ->
                        error.file().equals(sample.file())
                            && error.line() >= sample.fromLine()
                            && error.line() < sample.toLine());
        if (!sample.builtIn()) {
          if (server.rejected()) {
            customServerRejected++;
            customBothRejected += ordinal ? 1 : 0;
          }
          continue;
        }
        if (server.rejected()) {
          serverRejected++;
          if (ordinal) {
            bothRejected++;
          } else {
            missed.add(sample.label() + ": the server said: " + server.message());
          }
        } else {
          serverAccepted++;
          if (ordinal) {
            onlyOrdinalRejected++;
            stricter.add(sample.label());
          }
        }
      }
    }

    System.out.printf(
        "API server agreement (Kubernetes %s, dry-run server-side apply, fieldValidation=Strict):%n"
            + "  built-in kinds: the server rejected %d objects; ordinal validate rejected %d of"
            + " them (%.1f%%)%n"
            + "  built-in kinds: the server accepted %d objects; ordinal validate also rejected %d"
            + " of those (Ordinal's own rules: policies, duplicates, stricter types)%n"
            + "  custom resources (no CRDs on this server): the server rejected %d; ordinal"
            + " validate rejected %d (it notes them, or refuses them with --strict)%n",
        KubernetesKinds.KUBERNETES_VERSION,
        serverRejected,
        bothRejected,
        serverRejected == 0 ? 100.0 : 100.0 * bothRejected / serverRejected,
        serverAccepted,
        onlyOrdinalRejected,
        customServerRejected,
        customBothRejected);
    stricter.forEach(label -> System.out.println("  only Ordinal rejects: " + label));
    missed.forEach(label -> System.out.println("  MISSED: " + label));
    assertTrue(
        serverRejected >= 60, "too few rejected objects to mean anything: " + serverRejected);
    assertTrue(
        serverAccepted >= 10, "too few accepted objects to mean anything: " + serverAccepted);
    assertEquals(List.of(), missed, "objects the API server rejects and Ordinal accepts");
  }

  @Test
  void theKindTableIsWhatTheApiServerServes(KubernetesClient client) {
    Discovery discovery = Discovery.of(client);
    Map<String, Set<String>> served = new TreeMap<>();
    discovery.resources.forEach(
        (apiVersion, kinds) -> {
          if (KubernetesKinds.served().containsKey(apiVersion)) {
            served.put(apiVersion, new TreeSet<>(kinds.keySet()));
          }
        });
    // Kinds of subresources only (Scale, Eviction, TokenRequest...) have no path of their own.
    assertEquals(new TreeMap<>(KubernetesKinds.served()), served);
    Set<String> notInTable = new TreeSet<>(discovery.resources.keySet());
    notInTable.removeAll(KubernetesKinds.served().keySet());
    assertEquals(Set.of(), notInTable, "API versions served by default but not in the table");
  }

  /**
   * Without discovery, Ordinal knows which kinds have no namespace from its own list ({@link
   * ObjectKey#isClusterScoped(String)}): a kind missing from it gets the default namespace, and its
   * objects are looked for where they cannot be.
   */
  @Test
  void everyServedKindHasTheScopeOrdinalGivesIt(KubernetesClient client) {
    Discovery discovery = Discovery.of(client);
    Map<String, Boolean> wrong = new TreeMap<>();
    discovery.resources.forEach(
        (apiVersion, kinds) ->
            kinds.forEach(
                (kind, resource) -> {
                  if (ObjectKey.isClusterScoped(kind) == resource.namespaced()) {
                    wrong.put(apiVersion + " " + kind, resource.namespaced());
                  }
                }));
    assertEquals(Map.of(), wrong, "kinds whose scope Ordinal gets wrong (true: namespaced)");
  }

  /**
   * Ordinal learns the fields of built-in kinds from fabric8's model classes; the API server knows
   * them from its OpenAPI schema. A field the server knows and Ordinal does not would make Ordinal
   * refuse a valid manifest; one Ordinal knows and the server does not would let a typo through.
   * Both are compared for every served kind.
   */
  @Test
  void everyFieldOfEveryBuiltInKindIsKnownAsTheServerKnowsIt(KubernetesClient client)
      throws Exception {
    Map<String, JsonNode> schemas = new HashMap<>();
    Map<String, String> kindSchemas = new HashMap<>();
    JsonNode index = JSON.readTree(get(client, "/openapi/v3"));
    for (Map.Entry<String, JsonNode> path : index.path("paths").properties()) {
      JsonNode document =
          JSON.readTree(get(client, path.getValue().path("serverRelativeURL").asText()));
      for (Map.Entry<String, JsonNode> schema :
          document.path("components").path("schemas").properties()) {
        schemas.put(schema.getKey(), schema.getValue());
        for (JsonNode gvk : schema.getValue().path("x-kubernetes-group-version-kind")) {
          String group = gvk.path("group").asText();
          String apiVersion = (group.isEmpty() ? "" : group + "/") + gvk.path("version").asText();
          kindSchemas.put(apiVersion + " " + gvk.path("kind").asText(), schema.getKey());
        }
      }
    }
    List<String> serverOnly = new ArrayList<>();
    List<String> ordinalOnly = new ArrayList<>();
    int compared = 0;
    for (Map.Entry<String, Set<String>> served : KubernetesKinds.served().entrySet()) {
      for (String kind : served.getValue()) {
        String schema = kindSchemas.get(served.getKey() + " " + kind);
        KubernetesKinds.Lookup lookup = KubernetesKinds.lookup(served.getKey(), kind);
        FieldSchema.Bean bean =
            FieldSchema.of(
                ((KubernetesKinds.Lookup.Served) lookup).type(), KubernetesObjects.MAPPER);
        compared +=
            compareFields(
                served.getKey() + " " + kind,
                bean,
                schemas.get(schema),
                schemas,
                "",
                new HashSet<>(),
                serverOnly,
                ordinalOnly);
      }
    }
    System.out.printf(
        "fields compared with the server's OpenAPI: %d; known only to the server: %d; known only"
            + " to Ordinal: %d%n",
        compared, serverOnly.size(), ordinalOnly.size());
    serverOnly.forEach(field -> System.out.println("  only the server knows " + field));
    ordinalOnly.forEach(field -> System.out.println("  only Ordinal knows " + field));
    assertTrue(compared > 5_000, "the walk compared only " + compared + " fields");
    assertEquals(List.of(), serverOnly, "valid fields Ordinal would refuse");
    assertEquals(List.of(), ordinalOnly, "fields Ordinal would let through as known");
  }

  /** Compares one object's fields, then the fields of its fields; returns how many compared. */
  private static int compareFields(
      String kind,
      FieldSchema.Bean bean,
      JsonNode schema,
      Map<String, JsonNode> schemas,
      String path,
      Set<String> seen,
      List<String> serverOnly,
      List<String> ordinalOnly) {
    JsonNode properties = resolve(schema, schemas).path("properties");
    if (!properties.isObject() || !seen.add(bean.typeName + "|" + path.replaceAll(".*\\.", ""))) {
      return 0;
    }
    int compared = 0;
    for (Map.Entry<String, JsonNode> property : properties.properties()) {
      String field = path.isEmpty() ? property.getKey() : path + "." + property.getKey();
      FieldSchema.Shape shape = bean.fields().get(property.getKey());
      if (shape == null) {
        serverOnly.add(kind + ": " + field);
        continue;
      }
      compared++;
      JsonNode value = resolve(property.getValue(), schemas);
      while (shape instanceof FieldSchema.ListOf || shape instanceof FieldSchema.MapOf) {
        value =
            resolve(
                shape instanceof FieldSchema.ListOf
                    ? value.path("items")
                    : value.path("additionalProperties"),
                schemas);
        shape =
            shape instanceof FieldSchema.ListOf list
                ? list.item()
                : ((FieldSchema.MapOf) shape).value();
      }
      if (shape instanceof FieldSchema.Bean child) {
        compared +=
            compareFields(kind, child, value, schemas, field, seen, serverOnly, ordinalOnly);
      }
    }
    for (String field : bean.fields().keySet()) {
      if (!properties.has(field)) {
        ordinalOnly.add(kind + ": " + (path.isEmpty() ? field : path + "." + field));
      }
    }
    return compared;
  }

  /** A schema with its $ref (or allOf of one $ref) followed. */
  private static JsonNode resolve(JsonNode schema, Map<String, JsonNode> schemas) {
    JsonNode current = schema == null ? JSON.createObjectNode() : schema;
    for (int hop = 0; hop < 10; hop++) {
      JsonNode ref = current.path("$ref");
      if (!ref.isTextual() && current.path("allOf").size() == 1) {
        ref = current.path("allOf").get(0).path("$ref");
      }
      if (!ref.isTextual()) {
        return current;
      }
      current = schemas.getOrDefault(ref.asText().replace("#/components/schemas/", ""), current);
    }
    return current;
  }

  private static String get(KubernetesClient client, String path) throws Exception {
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(client.getMasterUrl().toString().replaceAll("/$", "") + path)
            .build();
    HttpResponse<String> response =
        client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    if (!response.isSuccessful()) {
      throw new IllegalStateException(path + ": " + response.code() + " " + response.body());
    }
    return response.body();
  }

  /** Every error Ordinal reports for a case, as {@code ordinal validate DIR} would load it. */
  private static List<LoadError> errorsOf(ManifestLoader loader, Path folder) throws IOException {
    LoadResult result = loader.load(LocalDirectory.read(folder));
    return result instanceof LoadResult.Invalid invalid ? invalid.errors() : List.of();
  }

  /** The objects of a folder that are valid YAML and name a Kubernetes apiVersion and kind. */
  private static List<Sample> samples(String source, Path folder) throws IOException {
    List<Sample> samples = new ArrayList<>();
    SourceTree tree = LocalDirectory.read(folder);
    for (SourceEntry entry : tree.entries()) {
      byte[] bytes = tree.reader().read(entry);
      YamlDocuments.Split split = YamlDocuments.split(bytes);
      if (split.problem() != null) {
        continue; // not valid YAML (or not text at all): nothing to send
      }
      List<YamlDocuments.Document> documents = split.documents();
      for (int i = 0; i < documents.size(); i++) {
        YamlDocuments.Document document = documents.get(i);
        JsonNode root = document.root();
        if (!root.isObject()
            || !root.path("apiVersion").isTextual()
            || !root.path("kind").isTextual()
            || root.path("apiVersion").asText().startsWith(OrdinalKinds.GROUP + "/")) {
          continue;
        }
        int end = i + 1 < documents.size() ? documents.get(i + 1).origin().offset() : bytes.length;
        int toLine =
            i + 1 < documents.size() ? documents.get(i + 1).origin().line() : Integer.MAX_VALUE;
        String text =
            withoutTrailingSeparator(
                new String(
                    bytes,
                    document.origin().offset(),
                    end - document.origin().offset(),
                    StandardCharsets.UTF_8));
        samples.add(new Sample(source, entry.path(), document.origin().line(), toLine, text, root));
      }
    }
    return samples;
  }

  /** A document's text ends where the next one starts: drop the "---" that starts it. */
  private static String withoutTrailingSeparator(String text) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    while (!lines.isEmpty()
        && (lines.get(lines.size() - 1).isBlank()
            || lines.get(lines.size() - 1).startsWith("---"))) {
      lines.remove(lines.size() - 1);
    }
    return String.join("\n", lines) + "\n";
  }

  /** Sends a sample (each item of a List) as a dry-run server-side apply; rejected if any is. */
  private static Verdict dryRunApply(
      KubernetesClient client, Discovery discovery, Sample sample, String defaultNamespace)
      throws Exception {
    List<JsonNode> objects = new ArrayList<>();
    List<String> bodies = new ArrayList<>();
    if (sample.kind().equals("List") && sample.apiVersion().equals("v1")) {
      for (JsonNode item : sample.root().path("items")) {
        objects.add(item);
        // The tree was read with YAML 1.1's rules, as the server reads YAML; JSON keeps them.
        bodies.add(JSON.writeValueAsString(item));
      }
    } else {
      objects.add(sample.root());
      bodies.add(sample.text());
    }
    for (int i = 0; i < objects.size(); i++) {
      Verdict verdict = apply(client, discovery, objects.get(i), bodies.get(i), defaultNamespace);
      if (verdict.rejected()) {
        return verdict;
      }
    }
    return new Verdict(false, "");
  }

  private static Verdict apply(
      KubernetesClient client,
      Discovery discovery,
      JsonNode object,
      String body,
      String defaultNamespace)
      throws Exception {
    String apiVersion = object.path("apiVersion").asText();
    String kind = object.path("kind").asText();
    Discovery.Resource resource = discovery.resources.getOrDefault(apiVersion, Map.of()).get(kind);
    if (resource == null) {
      return new Verdict(
          true, "no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"");
    }
    JsonNode name = object.path("metadata").path("name");
    if (!name.isTextual() || name.asText().isEmpty()) {
      return new Verdict(true, "resource name may not be empty");
    }
    StringBuilder url = new StringBuilder(client.getMasterUrl().toString().replaceAll("/$", ""));
    url.append(apiVersion.contains("/") ? "/apis/" : "/api/").append(apiVersion);
    if (resource.namespaced()) {
      JsonNode declared = object.path("metadata").path("namespace");
      String namespace =
          declared.isTextual() && !declared.asText().isEmpty()
              ? declared.asText()
              : defaultNamespace;
      ensureNamespace(client, namespace);
      url.append("/namespaces/").append(encode(namespace));
    }
    url.append('/')
        .append(resource.plural())
        .append('/')
        .append(encode(name.asText()))
        .append("?dryRun=All&fieldManager=ordinal&force=true&fieldValidation=Strict");
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url.toString())
            .method("PATCH", "application/apply-patch+yaml", body)
            .build();
    HttpResponse<String> response =
        client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
    if (response.isSuccessful()) {
      return new Verdict(false, "");
    }
    JsonNode status = JSON.readTree(response.body() == null ? "{}" : response.body());
    return new Verdict(
        true, response.code() + " " + status.path("message").asText(response.body()));
  }

  private static final Set<String> CREATED = new HashSet<>();

  private static synchronized void ensureNamespace(KubernetesClient client, String name) {
    if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")
        || name.length() > 63
        || !CREATED.add(name)) {
      return;
    }
    try {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** What the API server serves: apiVersion → kind → resource. */
  record Discovery(Map<String, Map<String, Resource>> resources) {
    record Resource(String plural, boolean namespaced) {}

    static Discovery of(KubernetesClient client) {
      Map<String, Map<String, Resource>> resources = new TreeMap<>();
      List<String> versions = new ArrayList<>(List.of("v1"));
      for (APIGroup group : client.getApiGroups().getGroups()) {
        for (GroupVersionForDiscovery version : group.getVersions()) {
          versions.add(version.getGroupVersion());
        }
      }
      for (String apiVersion : versions) {
        APIResourceList list = client.getApiResources(apiVersion);
        Map<String, Resource> kinds = new HashMap<>();
        for (APIResource resource : list.getResources()) {
          if (!resource.getName().contains("/")) {
            kinds.put(
                resource.getKind(), new Resource(resource.getName(), resource.getNamespaced()));
          }
        }
        resources.put(apiVersion, kinds);
      }
      return new Discovery(resources);
    }
  }
}
