package dev.ordinal.daemon;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.ordinal.analysis.prometheus.PrometheusServers;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.GitWorkspace;
import dev.ordinal.git.RepoUrl;
import dev.ordinal.manifest.AnalysisTemplate;
import dev.ordinal.manifest.AnalysisTrust;
import dev.ordinal.manifest.Durations;
import dev.ordinal.manifest.Escapes;
import dev.ordinal.manifest.ReadFailures;
import dev.ordinal.manifest.Schedules;
import dev.ordinal.manifest.SyntaxErrors;
import dev.ordinal.plan.AppBoundary;
import dev.ordinal.promotion.Carry;
import dev.ordinal.promotion.Gates;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
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
    List<App> apps,
    String statusPage,
    Person commitAuthor,
    Person committer,
    String promotionInterval,
    List<Promotion> promotions,
    List<Notifier> notifications,
    Sync sync,
    Sharding sharding) {

  public DaemonConfig {
    notifications = notifications == null ? List.of() : List.copyOf(notifications);
  }

  /** A config without Prometheus servers (no analysis), Secrets for templates or Git settings. */
  public DaemonConfig(
      String dataDir,
      String listen,
      String pollInterval,
      String ordinalNamespace,
      Webhook webhook,
      List<App> apps) {
    this(dataDir, listen, pollInterval, ordinalNamespace, webhook, null, null, apps);
  }

  /** Without Git or sync settings, promotions, forges, a status page or notifications. */
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
        apps,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        null,
        null);
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
    Map<String, PrometheusServers.Server> servers = new LinkedHashMap<>();
    if (prometheus != null) {
      prometheus.forEach(
          (name, server) ->
              servers.put(
                  name,
                  new PrometheusServers.Server(
                      name,
                      URI.create(server.address()),
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

  /**
   * How replicas split the work. Each shard is held by one replica through its own Lease; a replica
   * holds at most {@code ceil(shards / live replicas)} of them.
   *
   * @param shards how many shards the apps and StatefulSets are split into (default 1: one leader
   *     does everything and other replicas stand by); 1 to {@value #MAX_SHARDS}
   */
  public record Sharding(Integer shards) {
    public static final int MAX_SHARDS = 64;

    public int shardsOrDefault() {
      return shards == null ? 1 : shards;
    }
  }

  /** How many shards the work is split into: 1 unless {@code sharding.shards} says more. */
  public int shardsOrDefault() {
    return sharding == null ? 1 : sharding.shardsOrDefault();
  }

  /** {@code sync}, with its defaults when the config has none. */
  public Sync syncOrDefault() {
    return sync == null ? new Sync(null, null) : sync;
  }

  /** A person in a Git commit. */
  public record Person(String name, String email) {}

  /**
   * The forge that hosts an app's repository: where its commit statuses and pull requests go. The
   * credential is a token read from a file (a mounted Secret) or an environment variable, or for
   * GitHub a GitHub App (its id, the installation's id and its private key file); never from Git.
   *
   * @param type {@code github} (GitHub.com or GitHub Enterprise Server), {@code gitlab} or {@code
   *     gitea}
   * @param api the REST API root; default https://api.github.com for github,
   *     https://gitlab.com/api/v4 for gitlab, none for gitea
   * @param repository {@code owner/name}; for gitlab the project's full path, {@code
   *     group/sub/project}
   * @param commitStatuses report each rollout as a status on its commit (default true)
   * @param revertPullRequests after an automatic rollback, open a pull request that reverts the bad
   *     commit's change to this app's path (default false)
   */
  public record Forge(
      String type,
      String api,
      String repository,
      String tokenFile,
      String tokenEnv,
      Long appId,
      Long installationId,
      String privateKeyFile,
      Boolean commitStatuses,
      Boolean revertPullRequests) {
    public static final String DEFAULT_GITHUB_API = "https://api.github.com";
    public static final String DEFAULT_GITLAB_API = "https://gitlab.com/api/v4";

    /** The configured API root, or the type's public one; null for gitea, which has none. */
    public String apiOrDefault() {
      if (api != null && !api.isBlank()) {
        return api;
      }
      return switch (type == null ? "" : type) {
        case "github" -> DEFAULT_GITHUB_API;
        case "gitlab" -> DEFAULT_GITLAB_API;
        default -> null;
      };
    }

    /** Whether a GitHub App is the credential (any of its fields is set). */
    public boolean githubApp() {
      return appId != null || installationId != null || privateKeyFile != null;
    }

    public boolean statusesEnabled() {
      return !Boolean.FALSE.equals(commitStatuses);
    }

    public boolean revertsEnabled() {
      return Boolean.TRUE.equals(revertPullRequests);
    }
  }

  /**
   * Time in which no promotion opens: once, {@code from} and {@code until} as RFC 3339 instants; or
   * again and again, from each time a five-field cron {@code schedule} fires on the wall clock of
   * {@code timeZone} (an IANA name, default UTC) for {@code duration} (e.g. 62h), as Argo CD's sync
   * windows are written.
   */
  public record FreezeWindow(
      String from, String until, String schedule, String duration, String timeZone) {
    /** The longest recurring window: a longer one is a typing mistake, not a freeze. */
    static final Duration MAX_DURATION = Duration.ofDays(366);

    /** A window given once. */
    public FreezeWindow(String from, String until) {
      this(from, until, null, null, null);
    }

    /** What is wrong with the window, each problem prefixed with its field path from {@code at}. */
    List<String> problems(String at) {
      boolean once = from != null || until != null;
      boolean recurring = schedule != null || duration != null || timeZone != null;
      if (once == recurring) {
        return List.of(
            at
                + ": give from and until (once), or schedule and duration with an optional"
                + " timeZone (recurring), not both");
      }
      List<String> problems = new ArrayList<>();
      if (once) {
        try {
          if (!Instant.parse(from).isBefore(Instant.parse(until))) {
            problems.add(at + ": from must be before until");
          }
        } catch (RuntimeException e) {
          problems.add(at + ": from and until are RFC 3339 instants such as 2025-12-20T00:00:00Z");
        }
        return problems;
      }
      if (schedule == null) {
        problems.add(at + ".schedule: required, five cron fields such as \"0 18 * * 5\"");
      } else {
        try {
          Schedules.parse(schedule);
        } catch (IllegalArgumentException e) {
          problems.add(at + ".schedule: " + e.getMessage());
        }
      }
      Duration length = duration == null ? null : Durations.parse(duration).orElse(null);
      if (length == null
          || length.compareTo(Duration.ofMinutes(1)) < 0
          || length.compareTo(MAX_DURATION) > 0) {
        problems.add(
            at
                + ".duration: "
                + (duration == null ? "required" : "'" + duration + "' is not")
                + " a duration from 1m to 8784h (366 days), such as 62h");
      }
      if (timeZone != null) {
        try {
          ZoneId.of(timeZone);
        } catch (DateTimeException e) {
          problems.add(
              at
                  + ".timeZone: '"
                  + timeZone
                  + "' is not an IANA time zone such as Europe/Berlin or UTC");
        }
      }
      return problems;
    }

    /** The window as the gates read it; only for a window without {@link #problems}. */
    public Gates.FreezeWindow window() {
      if (schedule == null) {
        return new Gates.FreezeWindow.Fixed(Instant.parse(from), Instant.parse(until));
      }
      return new Gates.FreezeWindow.Recurring(
          Schedules.parse(schedule),
          Durations.parse(duration).orElseThrow(),
          ZoneId.of(timeZone == null ? "UTC" : timeZone));
    }
  }

  /**
   * A promotion from one app (an environment) to another: when a rollout of {@code from} is
   * verified, what {@code carry} names goes from its path at the verified commit to {@code to}'s
   * path.
   *
   * @param carry {@code images} (default: the containers' images, by container name), {@code
   *     template} (the StatefulSet's whole {@code spec.template}) or {@code files}
   * @param files with {@code carry: files}, the files to copy, relative to the apps' paths
   * @param mode {@code pull-request} (default) or {@code push} (straight to {@code to}'s branch)
   * @param requiredSoakTime how long the source must stay Healthy first, e.g. 30m (default 0s)
   */
  public record Promotion(
      String name,
      String from,
      String to,
      String carry,
      List<String> files,
      String mode,
      String requiredSoakTime,
      List<FreezeWindow> freezeWindows) {
    static final List<String> CARRIES = List.of("images", "template", "files");

    public String modeOrDefault() {
      return mode == null ? "pull-request" : mode;
    }

    /** What the promotion carries; only for a promotion without problems. */
    public Carry carryOrDefault() {
      return switch (carry == null ? "images" : carry) {
        case "template" -> new Carry.Template();
        case "files" -> new Carry.Files(files);
        default -> new Carry.Images();
      };
    }

    /** What is wrong with {@code carry} and {@code files}, prefixed with {@code at}. */
    List<String> carryProblems(String at) {
      if (carry != null && !CARRIES.contains(carry)) {
        return List.of(
            at + ".carry: '" + carry + "' is not supported; use " + String.join(", ", CARRIES));
      }
      if (!"files".equals(carry)) {
        return files == null
            ? List.of()
            : List.of(at + ".files: only with carry: files; remove it or set carry: files");
      }
      if (files == null || files.isEmpty()) {
        return List.of(
            at + ".files: carry: files needs the files to copy, such as [config/postgresql.conf]");
      }
      List<String> problems = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int f = 0; f < files.size(); f++) {
        try {
          if (!seen.add(GitWorkspace.confineFilePath(files.get(f)))) {
            problems.add(at + ".files[" + f + "]: '" + files.get(f) + "' is named twice");
          }
        } catch (GitSourceException e) {
          problems.add(at + ".files[" + f + "]: " + e.getMessage());
        }
      }
      return problems;
    }

    public Duration soak() {
      return requiredSoakTime == null
          ? Duration.ZERO
          : Durations.parse(requiredSoakTime).orElse(Duration.ZERO);
    }
  }

  /** How often promotions are checked, default 30s. */
  public Duration promotionIntervalOrDefault() {
    return promotionInterval == null
        ? Duration.ofSeconds(30)
        : Durations.parse(promotionInterval).orElse(Duration.ofSeconds(30));
  }

  public List<Promotion> promotionsOrEmpty() {
    return promotions == null ? List.of() : promotions;
  }

  /** The author of Ordinal's commits: the config's, else "Ordinal <ordinal@localhost>". */
  public Person commitAuthorOrDefault() {
    return commitAuthor == null ? new Person("Ordinal", "ordinal@localhost") : commitAuthor;
  }

  /** The committer of Ordinal's commits: the config's, else the author. */
  public Person committerOrDefault() {
    return committer == null ? commitAuthorOrDefault() : committer;
  }

  /**
   * A webhook that is told about rollouts. The URL is given directly ({@code url}) or, since a
   * Slack webhook URL is itself a secret, read from an env var ({@code urlEnv}) or a file ({@code
   * urlFile}).
   *
   * @param format {@code slack} (Slack-compatible JSON) or {@code json} (every field); default json
   */
  public record Notifier(String name, String url, String urlEnv, String urlFile, String format) {
    public String formatOrDefault() {
      return format == null || format.isBlank() ? "json" : format;
    }
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
   * @param backups the app's RolloutPolicies may snapshot its volumes and restore them, which
   *     deletes and recreates claims (always from a readyToUse snapshot)
   * @param backupHooks the quiesce and resume hooks its policies may use: {@code exec} (in the
   *     app's pods) and {@code job}
   * @param recreates the app's StatefulSets that opt in ({@code immutableChanges: recreate}) may be
   *     recreated to grow their volumes: claims patched, StorageClasses read, the StatefulSet
   *     deleted with propagationPolicy Orphan and created again
   */
  public record Boundary(
      List<String> namespaces,
      List<String> kinds,
      Boolean adopt,
      Boolean backups,
      List<String> backupHooks,
      Boolean recreates) {
    public Boundary(List<String> namespaces, List<String> kinds, Boolean adopt) {
      this(namespaces, kinds, adopt, null, null, null);
    }
  }

  public record App(
      String name,
      String repo,
      String revision,
      String path,
      String namespace,
      @JsonProperty("prune") Boolean prune,
      Credentials credentials,
      Boundary boundary,
      Forge forge,
      Boolean allowEmpty) {
    public App(
        String name,
        String repo,
        String revision,
        String path,
        String namespace,
        Boolean prune,
        Credentials credentials,
        Boundary boundary) {
      this(name, repo, revision, path, namespace, prune, credentials, boundary, null, null);
    }

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

    /**
     * Whether a revision that declares no objects may prune all of the app's (Argo CD's {@code
     * syncPolicy.automated.allowEmpty}); by default it is refused, as a wrong path or an emptied
     * folder more often than a wish to delete everything.
     */
    public boolean allowEmptyEnabled() {
      return Boolean.TRUE.equals(allowEmpty);
    }

    /** The app's boundary: its own namespace and the default kinds, plus what the config adds. */
    public AppBoundary appBoundary() {
      Set<String> namespaces = new TreeSet<>();
      namespaces.add(namespace);
      Set<String> kinds = new TreeSet<>();
      boolean adopt = false;
      boolean recreates = false;
      AppBoundary.Backups backups = AppBoundary.Backups.NONE;
      if (boundary != null) {
        recreates = Boolean.TRUE.equals(boundary.recreates());
        if (Boolean.TRUE.equals(boundary.backups())) {
          backups =
              new AppBoundary.Backups(
                  true,
                  boundary.backupHooks() == null ? Set.of() : Set.copyOf(boundary.backupHooks()));
        }
        if (boundary.namespaces() != null) {
          namespaces.addAll(boundary.namespaces());
        }
        if (boundary.kinds() != null) {
          kinds.addAll(boundary.kinds());
        }
        adopt = Boolean.TRUE.equals(boundary.adopt());
      }
      return new AppBoundary(name, namespaces, kinds, adopt, backups, recreates);
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
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    DaemonConfig config;
    JsonNode tree = null;
    // What was read, for an error's line found again in it.
    byte[] bytesRead = new byte[0];
    // Every message echoes the file's text: control characters are written out (Escapes).
    try {
      byte[] bytes = Files.readAllBytes(file);
      bytesRead = bytes;
      OptionalInt notUtf8 = firstNonUtf8Byte(bytes);
      if (notUtf8.isPresent()) {
        throw new ConfigException(
            file
                + ": not UTF-8 text (byte offset "
                + notUtf8.getAsInt()
                + "); save the file as UTF-8");
      }
      OptionalInt alias = firstAlias(mapper, bytes);
      if (alias.isPresent()) {
        throw new ConfigException(
            file
                + ":"
                + alias.getAsInt()
                + ": YAML aliases (*name) are not supported; write the value out");
      }
      tree = mapper.readTree(bytes);
      Optional<String> notAConfig = notAConfig(tree);
      if (notAConfig.isPresent()) {
        throw new ConfigException(file + ":1: " + notAConfig.get());
      }
      List<String> empty = emptyEntries(tree);
      if (!empty.isEmpty()) {
        throw new ConfigException(
            empty.stream()
                .map(p -> file + ": " + Escapes.controls(p))
                .collect(Collectors.joining("\n")));
      }
      config = mapper.readValue(bytes, DaemonConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          Escapes.controls(
              file
                  + ":"
                  + lineOfField(mapper, bytesRead, e)
                  + ": "
                  + path(e)
                  + ": unknown field '"
                  + e.getPropertyName()
                  + "'; known fields: "
                  + e.getKnownPropertyIds().stream()
                      .map(Object::toString)
                      .sorted()
                      .collect(Collectors.joining(", "))));
    } catch (MismatchedInputException e) {
      throw new ConfigException(
          Escapes.controls(file + ":" + line(e) + ": " + path(e) + ": " + mismatch(e, tree)));
    } catch (JsonMappingException e) {
      String message =
          e.getCause() instanceof InputCoercionException
              ? "a number too large or too small for this field"
              : e.getOriginalMessage();
      throw new ConfigException(
          Escapes.controls(file + ":" + line(e) + ": " + path(e) + ": " + message));
    } catch (JsonProcessingException e) {
      String syntax = SyntaxErrors.yamlSyntax(e);
      if (syntax != null) {
        // SnakeYAML's own message spans lines, with a caret under the column: Ordinal's words.
        throw new ConfigException(Escapes.controls(file + ":" + syntax));
      }
      String message = e.getOriginalMessage();
      if (message.startsWith("Duplicate field '")) {
        message =
            "field "
                + message.substring("Duplicate field ".length())
                + " is given twice in one mapping; keep one";
      }
      throw new ConfigException(Escapes.controls(file + ":" + line(e) + ": " + message));
    } catch (IOException e) {
      throw new ConfigException(Escapes.controls(file + ": cannot read: " + ReadFailures.why(e)));
    }
    if (config == null) {
      throw new ConfigException(file + ":1: the file is empty; it needs at least 'apps:'");
    }
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new ConfigException(
          problems.stream()
              .map(p -> file + ": " + Escapes.controls(p))
              .collect(Collectors.joining("\n")));
    }
    return config;
  }

  /**
   * Why a parsed file cannot be a config at all, before binding it: Jackson's own words for these
   * ("No content to map", "Cannot construct instance of ...") name a Java class and no remedy.
   */
  private static Optional<String> notAConfig(JsonNode tree) {
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return Optional.of("the file is empty; it needs at least 'apps:'");
    }
    if (!tree.isObject()) {
      return Optional.of(
          "a config is a YAML mapping with at least 'apps:', not "
              + (tree.isArray() ? "a list" : "a single value")
              + "; see README.md, \"Configuration reference\"");
    }
    if ("ConfigMap".equals(tree.path("kind").asText()) && tree.has("data")) {
      return Optional.of(
          "this is a ConfigMap; the config is the value of its data key config.yaml. Take it"
              + " out first: kubectl create -f FILE --dry-run=client -o"
              + " jsonpath='{.data.config\\.yaml}' > config.yaml");
    }
    return Optional.empty();
  }

  /** Entries of the config's lists left empty ({@code apps:} then a bare {@code -}). */
  private static List<String> emptyEntries(JsonNode tree) {
    List<String> problems = new ArrayList<>();
    Map<String, String> needs =
        Map.of(
            "apps", "an app needs at least name, repo and namespace",
            "notifications", "a notifier needs at least name and a url");
    needs.forEach(
        (list, what) -> {
          JsonNode items = tree.get(list);
          if (items != null && items.isArray()) {
            for (int i = 0; i < items.size(); i++) {
              if (items.get(i).isNull()) {
                problems.add(list + "[" + i + "]: an empty entry; " + what + ", or remove the '-'");
              }
            }
          }
        });
    problems.sort(null);
    return problems;
  }

  /**
   * The line of the first alias ({@code *name}), if any. Jackson reads an alias as the plain string
   * "name" and not as the value its anchor names, so {@code namespace: *prod} would silently read
   * as namespace "prod"; the manifest loader refuses aliases for the same reason.
   */
  private static OptionalInt firstAlias(ObjectMapper mapper, byte[] bytes) throws IOException {
    try (JsonParser parser = mapper.getFactory().createParser(bytes)) {
      while (parser.nextToken() != null) {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
          return OptionalInt.of(parser.currentTokenLocation().getLineNr());
        }
      }
    }
    return OptionalInt.empty();
  }

  /** Where {@code bytes} stop being UTF-8, if they do. */
  private static OptionalInt firstNonUtf8Byte(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = decoder.decode(in, CharBuffer.allocate(bytes.length + 1), true);
    return result.isError() ? OptionalInt.of(in.position()) : OptionalInt.empty();
  }

  /** The node at a mapping error's path in the parsed tree, or null. */
  private static JsonNode at(JsonNode tree, JsonMappingException e) {
    JsonNode node = tree;
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (node == null) {
        return null;
      }
      node = ref.getIndex() >= 0 ? node.get(ref.getIndex()) : node.get(ref.getFieldName());
    }
    return node;
  }

  /** A value of the wrong shape, in the config's words: what was expected, and what was found. */
  private static String mismatch(MismatchedInputException e, JsonNode tree) {
    Class<?> target = e.getTargetType();
    String expected;
    if (target == null) {
      expected = "another kind of value";
    } else if (target == Boolean.class || target == boolean.class) {
      expected = "true or false";
    } else if (target == Integer.class
        || target == int.class
        || target == Long.class
        || target == long.class) {
      expected = "a whole number";
    } else if (target == String.class) {
      expected = "a single value (text)";
    } else if (java.util.Collection.class.isAssignableFrom(target)) {
      expected = "a list (- item, or [a, b])";
    } else {
      expected = "a mapping (key: value)";
    }
    JsonNode given = tree == null ? null : at(tree, e);
    String found;
    if (given == null || given.isNull()) {
      found = "nothing";
    } else if (given.isArray()) {
      found = "a list";
    } else if (given.isObject()) {
      found = "a mapping";
    } else {
      found = "'" + given.asText() + "'";
    }
    return "expected " + expected + ", got " + found;
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
            if (server == null || server.address() == null) {
              problems.add(at + ".address: required, an http(s) URL of the Prometheus server");
            } else {
              PrometheusServers.addressProblem(server.address())
                  .ifPresent(
                      why ->
                          problems.add(
                              at
                                  + ".address: "
                                  + Escapes.controls(RepoUrl.redact(server.address()))
                                  + " "
                                  + why));
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
    if (sharding != null
        && sharding.shards() != null
        && (sharding.shards() < 1 || sharding.shards() > Sharding.MAX_SHARDS)) {
      problems.add(
          "sharding.shards: "
              + sharding.shards()
              + " is not from 1 to "
              + Sharding.MAX_SHARDS
              + "; use about as many shards as replicas, or a small multiple");
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
      Optional<String> unsupported =
          app.repo() == null ? Optional.empty() : RepoUrl.unsupportedScheme(app.repo());
      unsupported.ifPresent(refused -> problems.add(at + ".repo: " + refused));
      // An ftp:// URL is refused whole: advice on its credentials would only repeat "use https".
      if (app.repo() != null
          && unsupported.isEmpty()
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
      if (app.boundary() != null && app.boundary().backupHooks() != null) {
        if (!Boolean.TRUE.equals(app.boundary().backups())) {
          problems.add(
              at
                  + ".boundary.backupHooks: hooks are for backups; set backups: true as well, or"
                  + " remove backupHooks");
        }
        for (int h = 0; h < app.boundary().backupHooks().size(); h++) {
          String hook = app.boundary().backupHooks().get(h);
          if (!AppBoundary.Backups.HOOKS.contains(hook)) {
            problems.add(
                at
                    + ".boundary.backupHooks["
                    + h
                    + "]: '"
                    + hook
                    + "' is not a hook kind; expected one of "
                    + String.join(", ", AppBoundary.Backups.HOOKS));
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
    Set<String> notifierNames = new HashSet<>();
    for (int i = 0; i < notifications.size(); i++) {
      Notifier n = notifications.get(i);
      String at = "notifications[" + i + "]";
      if (n.name() == null || !DNS_LABEL.matcher(n.name()).matches()) {
        problems.add(
            at
                + ".name: required, a DNS label (it names the target in logs and metrics), got '"
                + n.name()
                + "'");
      } else if (!notifierNames.add(n.name())) {
        problems.add(at + ".name: duplicate notification name '" + n.name() + "'");
      }
      int sources =
          (n.url() == null ? 0 : 1) + (n.urlEnv() == null ? 0 : 1) + (n.urlFile() == null ? 0 : 1);
      if (sources != 1) {
        problems.add(at + ": exactly one of url, urlEnv or urlFile is required");
      } else if (n.url() != null
          && !n.url().startsWith("http://")
          && !n.url().startsWith("https://")) {
        problems.add(at + ".url: an http:// or https:// URL is required");
      }
      if (!List.of("slack", "json").contains(n.formatOrDefault())) {
        problems.add(at + ".format: slack or json, got '" + n.format() + "'");
      }
    }
    problems.addAll(promotionProblems(names));

    return problems;
  }

  private static final Pattern OWNER_REPO = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s<>]+@[^@\\s<>]+");

  private static final Pattern GITLAB_PROJECT =
      Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+");

  /** One forge's type, repository, API root and credential, each named by its field. */
  private static List<String> forgeProblems(Forge forge, String at) {
    List<String> problems = new ArrayList<>();
    String type = forge.type();
    if (!List.of("github", "gitlab", "gitea").contains(String.valueOf(type))) {
      problems.add(at + ".type: '" + type + "' is not supported; use github, gitlab or gitea");
    }
    if ("gitlab".equals(type)) {
      if (forge.repository() == null || !GITLAB_PROJECT.matcher(forge.repository()).matches()) {
        problems.add(
            at
                + ".repository: required, the project's full path such as acme/config or"
                + " acme/platform/config");
      }
    } else if (forge.repository() == null || !OWNER_REPO.matcher(forge.repository()).matches()) {
      problems.add(at + ".repository: required, owner/name such as acme/config");
    }
    int sources =
        (forge.tokenFile() != null ? 1 : 0)
            + (forge.tokenEnv() != null ? 1 : 0)
            + (forge.githubApp() ? 1 : 0);
    if ("github".equals(type)) {
      if (sources != 1) {
        problems.add(
            at
                + ": give tokenFile (a mounted Secret), tokenEnv, or a GitHub App (appId,"
                + " installationId, privateKeyFile), exactly one");
      }
      if (forge.githubApp()) {
        if (forge.appId() == null || forge.appId() <= 0) {
          problems.add(at + ".appId: required with a GitHub App, the app's numeric id");
        }
        if (forge.installationId() == null || forge.installationId() <= 0) {
          problems.add(
              at + ".installationId: required with a GitHub App, the installation's numeric id");
        }
        if (forge.privateKeyFile() == null || forge.privateKeyFile().isBlank()) {
          problems.add(
              at
                  + ".privateKeyFile: required with a GitHub App, the app's PEM key (a mounted"
                  + " Secret)");
        }
      }
    } else {
      if (forge.githubApp()) {
        problems.add(
            at
                + ": appId, installationId and privateKeyFile are for type github only; give"
                + " tokenFile or tokenEnv");
      } else if (sources != 1) {
        problems.add(at + ": give tokenFile (a mounted Secret) or tokenEnv, exactly one");
      }
    }
    String example =
        switch (String.valueOf(type)) {
          case "gitlab" -> Forge.DEFAULT_GITLAB_API;
          case "gitea" -> "https://gitea.example.com/api/v1";
          default -> Forge.DEFAULT_GITHUB_API;
        };
    if (forge.api() == null || forge.api().isBlank()) {
      if ("gitea".equals(type)) {
        problems.add(at + ".api: required for gitea, the API root such as " + example);
      }
    } else if (!forge.api().startsWith("https://")) {
      if (forge.api().startsWith("http://")) {
        RepoUrl.cleartextCredentials(forge.api())
            .ifPresent(r -> problems.add(at + ".api: the token would go in clear text: " + r));
      } else {
        problems.add(at + ".api: an https:// URL such as " + example);
      }
    }
    return problems;
  }

  /** Forges, persons and promotions: what Git writes and forge calls need, checked before start. */
  private List<String> promotionProblems(Set<String> appNames) {
    List<String> problems = new ArrayList<>();
    Map<String, App> byName = new HashMap<>();
    for (int i = 0; i < apps.size(); i++) {
      App app = apps.get(i);
      if (app.name() != null) {
        byName.putIfAbsent(app.name(), app);
      }
      Forge forge = app.forge();
      if (forge == null) {
        continue;
      }
      problems.addAll(forgeProblems(forge, "apps[" + i + "].forge"));
    }
    if (statusPage != null
        && !(statusPage.startsWith("https://") || statusPage.startsWith("http://"))) {
      problems.add("statusPage: an http(s) URL of Ordinal's status page, got '" + statusPage + "'");
    }
    for (String field : List.of("commitAuthor", "committer")) {
      Person p = field.equals("committer") ? committer : commitAuthor;
      if (p != null
          && (p.name() == null
              || p.name().isBlank()
              || p.email() == null
              || !EMAIL.matcher(p.email()).matches())) {
        problems.add(
            field + ": needs name and email, such as {name: Ordinal, email: ordinal@example.com}");
      }
    }
    if (pollInterval != null && Durations.parse(pollInterval).isEmpty()) {
      problems.add("pollInterval: not a duration such as 60s or 5m: '" + pollInterval + "'");
    }
    if (promotionInterval != null && Durations.parse(promotionInterval).isEmpty()) {
      problems.add("promotionInterval: not a duration such as 30s: '" + promotionInterval + "'");
    }
    Set<String> promotionNames = new HashSet<>();
    List<Promotion> list = promotionsOrEmpty();
    for (int i = 0; i < list.size(); i++) {
      Promotion p = list.get(i);
      String at = "promotions[" + i + "]";
      if (p.name() == null || !DNS_LABEL.matcher(p.name()).matches()) {
        problems.add(at + ".name: required, a DNS label such as staging-to-prod");
      } else if (!promotionNames.add(p.name())) {
        problems.add(at + ".name: duplicate promotion name '" + p.name() + "'");
      }
      for (String end : List.of("from", "to")) {
        String app = end.equals("from") ? p.from() : p.to();
        if (app == null || !appNames.contains(app)) {
          problems.add(
              at + "." + end + ": '" + app + "' is not an app of this config; known: " + appNames);
        }
      }
      if (p.from() != null && p.from().equals(p.to())) {
        problems.add(at + ".to: must differ from 'from'");
      }
      problems.addAll(p.carryProblems(at));
      if (!List.of("pull-request", "push").contains(p.modeOrDefault())) {
        problems.add(at + ".mode: '" + p.mode() + "' is not pull-request or push");
      }
      if (p.requiredSoakTime() != null && Durations.parse(p.requiredSoakTime()).isEmpty()) {
        problems.add(
            at + ".requiredSoakTime: not a duration such as 30m: '" + p.requiredSoakTime() + "'");
      }
      if (p.freezeWindows() != null) {
        for (int w = 0; w < p.freezeWindows().size(); w++) {
          problems.addAll(p.freezeWindows().get(w).problems(at + ".freezeWindows[" + w + "]"));
        }
      }
      App target = byName.get(p.to());
      if (target != null) {
        String rev = target.revisionOrDefault();
        if (rev.equals("HEAD") || rev.matches("[0-9a-fA-F]{40}") || rev.startsWith("refs/tags/")) {
          problems.add(
              at
                  + ".to: app '"
                  + p.to()
                  + "' tracks '"
                  + rev
                  + "'; a promotion needs it to track a branch (revision: main)");
        }
        if (p.modeOrDefault().equals("pull-request") && target.forge() == null) {
          problems.add(
              at + ".mode: pull-request needs a forge on app '" + p.to() + "' (apps[].forge)");
        }
      }
    }
    return problems;
  }

  /**
   * A listen address's problem: it must be host:port with a port from 0 to 65535. Public for the
   * CLI's own {@code --listen} options, which take the same form.
   */
  public static Optional<String> listenProblem(String field, String value) {
    if (value == null) {
      return Optional.empty();
    }
    int colon = value.lastIndexOf(':');
    String port = colon < 0 ? "" : value.substring(colon + 1);
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
      return Optional.of(field + ": expected host:port such as 0.0.0.0:8080, got '" + value + "'");
    }
    return Optional.empty();
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

  /**
   * The line of the field {@code e} is about. Jackson reports an unknown field of a record where it
   * stopped reading, the end of the mapping that holds it (past the last line, for the last one),
   * since it reads the whole mapping before it binds a record; the bytes are parsed again for the
   * field's own line. Jackson's line when the field cannot be found.
   */
  private static int lineOfField(ObjectMapper mapper, byte[] bytes, JsonMappingException e) {
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      pointer
          .append('/')
          .append(
              ref.getIndex() >= 0
                  ? Integer.toString(ref.getIndex())
                  : ref.getFieldName().replace("~", "~0").replace("/", "~1"));
    }
    String wanted = pointer.toString();
    try (JsonParser parser = mapper.getFactory().createParser(bytes)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token == JsonToken.FIELD_NAME
            && parser.getParsingContext().pathAsPointer().toString().equals(wanted)) {
          return parser.currentTokenLocation().getLineNr();
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // The bytes parsed a moment ago; if they cannot now, Jackson's line is all there is.
    }
    return line(e);
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
