package dev.ordinal.daemon;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ordinal.analysis.prometheus.PrometheusServers;
import dev.ordinal.git.RepoUrl;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTrust;
import dev.ordinal.manifest.Durations;
import dev.ordinal.plan.AppBoundary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The configuration of {@code ordinal run}: where to keep Git caches, where to listen, and the apps
 * (repo, revision, path, destination namespace) to keep in sync.
 */
public record DaemonConfig(
    String dataDir,
    String listen,
    String pollInterval,
    String ordinalNamespace,
    Webhook webhook,
    Map<String, PrometheusServer> prometheus,
    List<String> analysisSecrets,
    Git git,
    Sync sync,
    List<App> apps) {

  /** A config without Prometheus servers (no analysis), Secrets for templates or Git settings. */
  public DaemonConfig(
      String dataDir,
      String listen,
      String pollInterval,
      String ordinalNamespace,
      Webhook webhook,
      List<App> apps) {
    this(dataDir, listen, pollInterval, ordinalNamespace, webhook, null, null, null, null, apps);
  }

  /** Without {@code git} settings (the defaults). */
  public DaemonConfig(
      String dataDir,
      String listen,
      String pollInterval,
      String ordinalNamespace,
      Webhook webhook,
      Map<String, PrometheusServer> prometheus,
      List<String> analysisSecrets,
      List<App> apps) {
    this(
        dataDir,
        listen,
        pollInterval,
        ordinalNamespace,
        webhook,
        prometheus,
        analysisSecrets,
        null,
        null,
        apps);
  }

  /** Without {@code sync} settings (the defaults). */
  public DaemonConfig(
      String dataDir,
      String listen,
      String pollInterval,
      String ordinalNamespace,
      Webhook webhook,
      Map<String, PrometheusServer> prometheus,
      List<String> analysisSecrets,
      Git git,
      List<App> apps) {
    this(
        dataDir,
        listen,
        pollInterval,
        ordinalNamespace,
        webhook,
        prometheus,
        analysisSecrets,
        git,
        null,
        apps);
  }

  /**
   * A Prometheus server AnalysisTemplates may query, with the credential Ordinal sends: the only
   * places a template's queries can go.
   *
   * @param bearerTokenSecret a key of a Secret in Ordinal's namespace
   * @param timeout per query, e.g. 10s
   */
  public record PrometheusServer(String address, SecretRef bearerTokenSecret, String timeout) {}

  /** A key of a Secret in Ordinal's own namespace. */
  public record SecretRef(String name, String key) {}

  /** The servers, as the analysis runner resolves templates against them. */
  public PrometheusServers prometheusServers() {
    Map<String, PrometheusServers.Server> servers = new java.util.LinkedHashMap<>();
    if (prometheus != null) {
      prometheus.forEach(
          (name, server) ->
              servers.put(
                  name,
                  new PrometheusServers.Server(
                      name,
                      java.net.URI.create(server.address()),
                      Optional.ofNullable(server.bearerTokenSecret())
                          .map(s -> new AnalysisTemplate.SecretKeyRef(s.name(), s.key())),
                      Optional.ofNullable(server.timeout()).flatMap(Durations::parse))));
    }
    return PrometheusServers.configured(servers);
  }

  /** What templates from Git may use: the servers above and the listed Secrets. */
  public AnalysisTrust analysisTrust() {
    return prometheusServers()
        .trust(analysisSecrets == null ? Set.of() : Set.copyOf(analysisSecrets));
  }

  /**
   * Push webhooks, on their own listener. Without a secret they are refused (403, with how to turn
   * them on) unless {@code insecure: true}; without a {@code webhook} section there is no webhook
   * listener at all and Git is only polled.
   *
   * @param listen address of the webhook listener, default {@value #DEFAULT_WEBHOOK_LISTEN}
   * @param path the one path webhooks are posted to, default {@value #DEFAULT_WEBHOOK_PATH}
   * @param insecure true accepts unsigned webhooks (development only), with a warning on each
   * @param maxBodySize larger payloads are refused with 413, default 1Mi
   */
  public record Webhook(
      String listen,
      String path,
      String secretEnv,
      String secretFile,
      Boolean insecure,
      String maxBodySize) {
    public static final String DEFAULT_WEBHOOK_LISTEN = "0.0.0.0:8081";
    public static final String DEFAULT_WEBHOOK_PATH = "/webhook";
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    /** Only a secret, with the default listener. */
    public Webhook(String secretEnv, String secretFile) {
      this(null, null, secretEnv, secretFile, null, null);
    }

    public String listenOrDefault() {
      return listen == null || listen.isBlank() ? DEFAULT_WEBHOOK_LISTEN : listen;
    }

    public String pathOrDefault() {
      return path == null || path.isBlank() ? DEFAULT_WEBHOOK_PATH : path;
    }

    public boolean insecureEnabled() {
      return Boolean.TRUE.equals(insecure);
    }

    public boolean hasSecret() {
      return secretEnv != null || secretFile != null;
    }

    public long maxBodyBytes() {
      return maxBodySize == null
          ? DEFAULT_MAX_BODY_BYTES
          : ByteSizes.parse(maxBodySize).orElse(DEFAULT_MAX_BODY_BYTES);
    }
  }

  /**
   * How Git is fetched, for every app.
   *
   * @param maxFetchSize one fetch may download at most this much (256Mi by default); a larger one
   *     fails with a message that names this setting
   */
  public record Git(String maxFetchSize) {
    public long maxFetchBytes() {
      return maxFetchSize == null
          ? dev.ordinal.git.GitSourceConfig.DEFAULT_MAX_FETCH_BYTES
          : ByteSizes.parse(maxFetchSize)
              .orElse(dev.ordinal.git.GitSourceConfig.DEFAULT_MAX_FETCH_BYTES);
    }
  }

  /**
   * How syncs run, for every app.
   *
   * @param resyncInterval the last good commit is applied again this often even when Git is quiet,
   *     on its own timer, to repair drift (default {@value #DEFAULT_RESYNC_INTERVAL}); with live
   *     objects from watch caches an idle resync makes no request for an unchanged object
   * @param applyConcurrency at most this many objects are applied at once, across all apps (default
   *     {@value #DEFAULT_APPLY_CONCURRENCY}); kinds others depend on (Namespaces, then
   *     CustomResourceDefinitions, ...) are applied before the kinds after them
   */
  public record Sync(String resyncInterval, Integer applyConcurrency) {
    public static final String DEFAULT_RESYNC_INTERVAL = "3m";
    public static final int DEFAULT_APPLY_CONCURRENCY = 8;
    public static final int MAX_APPLY_CONCURRENCY = 64;

    public Duration resyncIntervalOrDefault() {
      return Durations.parse(resyncInterval == null ? DEFAULT_RESYNC_INTERVAL : resyncInterval)
          .orElseThrow();
    }

    public int applyConcurrencyOrDefault() {
      return applyConcurrency == null ? DEFAULT_APPLY_CONCURRENCY : applyConcurrency;
    }
  }

  /** {@code sync}, with its defaults when the config has none. */
  public Sync syncOrDefault() {
    return sync == null ? new Sync(null, null) : sync;
  }

  public record Credentials(
      String usernameEnv,
      String tokenEnv,
      String usernameFile,
      String tokenFile,
      String sshKeyFile,
      String knownHostsFile) {}

  /**
   * What an app may apply beyond its defaults (its own namespace; namespaced kinds without RBAC):
   * set by the operator here, never in Git.
   *
   * @param namespaces more destination namespaces
   * @param kinds more kinds, as {@code group/Kind} ({@code Kind} for the core group)
   * @param adopt take over objects this app did not create
   */
  public record Boundary(List<String> namespaces, List<String> kinds, Boolean adopt) {}

  public record App(
      String name,
      String repo,
      String revision,
      String path,
      String namespace,
      @JsonProperty("prune") Boolean prune,
      Credentials credentials,
      Boundary boundary) {
    /** An app with the default boundary. */
    public App(
        String name,
        String repo,
        String revision,
        String path,
        String namespace,
        Boolean prune,
        Credentials credentials) {
      this(name, repo, revision, path, namespace, prune, credentials, null);
    }

    public boolean pruneEnabled() {
      return Boolean.TRUE.equals(prune);
    }

    /** The app's boundary: its own namespace and the default kinds, plus what the config adds. */
    public AppBoundary appBoundary() {
      Set<String> namespaces = new java.util.TreeSet<>();
      namespaces.add(namespace);
      Set<String> kinds = new java.util.TreeSet<>();
      boolean adopt = false;
      if (boundary != null) {
        if (boundary.namespaces() != null) {
          namespaces.addAll(boundary.namespaces());
        }
        if (boundary.kinds() != null) {
          kinds.addAll(boundary.kinds());
        }
        adopt = Boolean.TRUE.equals(boundary.adopt());
      }
      return new AppBoundary(name, namespaces, kinds, adopt);
    }

    public String revisionOrDefault() {
      return revision == null || revision.isBlank() ? "HEAD" : revision;
    }

    public String pathOrDefault() {
      return path == null || path.isBlank() ? "." : path;
    }
  }

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern KIND =
      Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Z][A-Za-z0-9]*");

  /** Reads and validates a config file; errors name the file, the line and the field. */
  public static DaemonConfig load(Path file) throws ConfigException {
    ObjectMapper mapper =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    DaemonConfig config;
    try {
      config = mapper.readValue(Files.readAllBytes(file), DaemonConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          file
              + ":"
              + e.getLocation().getLineNr()
              + ": "
              + path(e)
              + ": unknown field '"
              + e.getPropertyName()
              + "'; known fields: "
              + e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (JsonMappingException e) {
      throw new ConfigException(
          file + ":" + line(e) + ": " + path(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + ":" + line(e) + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    if (config == null) {
      throw new ConfigException(file + ":1: the file is empty; it needs at least 'apps:'");
    }
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new ConfigException(
          problems.stream().map(p -> file + ": " + p).collect(Collectors.joining("\n")));
    }
    return config;
  }

  public String dataDirOrDefault() {
    return dataDir == null ? System.getProperty("java.io.tmpdir") + "/ordinal" : dataDir;
  }

  public String listenOrDefault() {
    return listen == null ? "0.0.0.0:8080" : listen;
  }

  /**
   * Ordinal's own namespace, for its leader-election Lease and its analysis-run ConfigMap: the
   * config's value, else $POD_NAMESPACE (set from the downward API), else ordinal-system.
   */
  public String ordinalNamespaceOrDefault() {
    if (ordinalNamespace != null && !ordinalNamespace.isBlank()) {
      return ordinalNamespace;
    }
    String fromPod = System.getenv("POD_NAMESPACE");
    return fromPod == null || fromPod.isBlank() ? "ordinal-system" : fromPod;
  }

  public String pollIntervalOrDefault() {
    return pollInterval == null ? "60s" : pollInterval;
  }

  /** {@code git.maxFetchSize} in bytes. */
  public long maxFetchBytesOrDefault() {
    return git == null ? new Git(null).maxFetchBytes() : git.maxFetchBytes();
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (prometheus != null) {
      prometheus.forEach(
          (name, server) -> {
            String at = "prometheus." + name;
            if (!DNS_LABEL.matcher(name).matches()) {
              problems.add(at + ": a server name is a DNS label such as default or thanos");
            }
            if (server == null
                || server.address() == null
                || !(server.address().startsWith("http://")
                    || server.address().startsWith("https://"))) {
              problems.add(at + ".address: required, an http(s) URL of the Prometheus server");
            }
            if (server != null
                && server.bearerTokenSecret() != null
                && (server.bearerTokenSecret().name() == null
                    || server.bearerTokenSecret().key() == null)) {
              problems.add(
                  at + ".bearerTokenSecret: needs name and key of a Secret in Ordinal's namespace");
            }
            if (server != null
                && server.timeout() != null
                && Durations.parse(server.timeout()).isEmpty()) {
              problems.add(at + ".timeout: not a duration such as 10s: '" + server.timeout() + "'");
            }
          });
    }
    listenProblem("listen", listen).ifPresent(problems::add);
    if (webhook != null) {
      listenProblem("webhook.listen", webhook.listen()).ifPresent(problems::add);
      if (webhook.path() != null && !webhook.pathOrDefault().startsWith("/")) {
        problems.add("webhook.path: must start with '/', got '" + webhook.path() + "'");
      }
      if (webhook.maxBodySize() != null && ByteSizes.parse(webhook.maxBodySize()).isEmpty()) {
        problems.add(
            "webhook.maxBodySize: not a size such as 512Ki or 1Mi: '"
                + webhook.maxBodySize()
                + "'");
      }
      if (webhook.hasSecret() && webhook.insecureEnabled()) {
        problems.add(
            "webhook.insecure: true together with a secret; remove insecure (signed webhooks"
                + " need no exception)");
      }
      if (webhook.secretEnv() != null && webhook.secretFile() != null) {
        problems.add("webhook: give secretEnv or secretFile, not both");
      }
      if (sameAddress(listenOrDefault(), webhook.listenOrDefault())) {
        problems.add(
            "webhook.listen: "
                + webhook.listenOrDefault()
                + " is also 'listen'; the webhook needs its own port (default "
                + Webhook.DEFAULT_WEBHOOK_LISTEN
                + ")");
      }
    }
    if (git != null
        && git.maxFetchSize() != null
        && ByteSizes.parse(git.maxFetchSize()).isEmpty()) {
      problems.add(
          "git.maxFetchSize: not a size such as 256Mi or 1Gi: '" + git.maxFetchSize() + "'");
    }
    if (sync != null) {
      if (sync.resyncInterval() != null
          && Durations.parse(sync.resyncInterval()).filter(d -> !d.isZero()).isEmpty()) {
        problems.add(
            "sync.resyncInterval: not a duration such as 3m or 90s: '"
                + sync.resyncInterval()
                + "'");
      }
      if (sync.applyConcurrency() != null
          && (sync.applyConcurrency() < 1
              || sync.applyConcurrency() > Sync.MAX_APPLY_CONCURRENCY)) {
        problems.add(
            "sync.applyConcurrency: a number from 1 to "
                + Sync.MAX_APPLY_CONCURRENCY
                + ", got "
                + sync.applyConcurrency());
      }
    }
    if (apps == null || apps.isEmpty()) {
      problems.add("apps: at least one app is required");
      return problems;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < apps.size(); i++) {
      App app = apps.get(i);
      String at = "apps[" + i + "]";
      if (app.name() == null || !DNS_LABEL.matcher(app.name()).matches()) {
        problems.add(
            at
                + ".name: required, a DNS label (lower-case letters, digits, '-'), got '"
                + app.name()
                + "'");
      } else if (!names.add(app.name())) {
        problems.add(at + ".name: duplicate app name '" + app.name() + "'");
      }
      if (app.repo() == null || app.repo().isBlank()) {
        problems.add(
            at
                + ".repo: required: a Git URL (https://, ssh://, git@host:path, file://) or a local path");
      }
      if (app.namespace() == null || !DNS_LABEL.matcher(app.namespace()).matches()) {
        problems.add(
            at + ".namespace: required, the destination namespace, got '" + app.namespace() + "'");
      }
      if (app.repo() != null
          && ((app.credentials() != null
                  && (app.credentials().tokenEnv() != null
                      || app.credentials().tokenFile() != null))
              || RepoUrl.hasUserInfo(app.repo()))) {
        RepoUrl.cleartextCredentials(app.repo())
            .ifPresent(refused -> problems.add(at + ".repo: " + refused));
      }
      if (app.credentials() != null
          && app.credentials().sshKeyFile() != null
          && app.credentials().knownHostsFile() == null) {
        problems.add(
            at
                + ".credentials.knownHostsFile: required with sshKeyFile, so the server's host key is checked");
      }
      if (app.boundary() != null && app.boundary().namespaces() != null) {
        for (int n = 0; n < app.boundary().namespaces().size(); n++) {
          String ns = app.boundary().namespaces().get(n);
          if (ns == null || !DNS_LABEL.matcher(ns).matches()) {
            problems.add(
                at + ".boundary.namespaces[" + n + "]: not a namespace name: '" + ns + "'");
          }
        }
      }
      if (app.boundary() != null && app.boundary().kinds() != null) {
        for (int k = 0; k < app.boundary().kinds().size(); k++) {
          String kind = app.boundary().kinds().get(k);
          if (kind == null || !KIND.matcher(kind).matches()) {
            problems.add(
                at
                    + ".boundary.kinds["
                    + k
                    + "]: '"
                    + kind
                    + "' is not a kind such as ConfigMap or rbac.authorization.k8s.io/Role");
          }
        }
      }
      if (app.path() != null
          && (app.path().startsWith("/") || List.of(app.path().split("/")).contains(".."))) {
        problems.add(
            at
                + ".path: must be relative to the repository root and must not contain '..', got '"
                + app.path()
                + "'");
      }
    }
    return problems;
  }

  /** A listen address's problem: it must be host:port with a port from 0 to 65535. */
  private static java.util.Optional<String> listenProblem(String field, String value) {
    if (value == null) {
      return java.util.Optional.empty();
    }
    int colon = value.lastIndexOf(':');
    String port = colon < 0 ? "" : value.substring(colon + 1);
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
      return java.util.Optional.of(
          field + ": expected host:port such as 0.0.0.0:8080, got '" + value + "'");
    }
    return java.util.Optional.empty();
  }

  private static boolean sameAddress(String a, String b) {
    int ca = a.lastIndexOf(':');
    int cb = b.lastIndexOf(':');
    if (ca < 0 || cb < 0) {
      return false;
    }
    String portA = a.substring(ca + 1);
    String portB = b.substring(cb + 1);
    if (!portA.equals(portB) || portA.equals("0")) {
      return false;
    }
    String hostA = a.substring(0, ca);
    String hostB = b.substring(0, cb);
    return hostA.equals(hostB) || hostA.equals("0.0.0.0") || hostB.equals("0.0.0.0");
  }

  private static int line(JsonProcessingException e) {
    return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getIndex() >= 0) {
        b.append('[').append(ref.getIndex()).append(']');
      } else if (ref.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(ref.getFieldName());
      }
    }
    return b.toString();
  }

  /** A configuration that cannot be used; the message names file, line and field. */
  public static final class ConfigException extends Exception {
    public ConfigException(String message) {
      super(message);
    }
  }
}
