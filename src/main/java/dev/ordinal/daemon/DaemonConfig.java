package dev.ordinal.daemon;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
    List<App> apps,
    List<Notifier> notifications) {

  /** A config without notifications. */
  public DaemonConfig(
      String dataDir,
      String listen,
      String pollInterval,
      String ordinalNamespace,
      Webhook webhook,
      List<App> apps) {
    this(dataDir, listen, pollInterval, ordinalNamespace, webhook, apps, List.of());
  }

  public DaemonConfig {
    notifications = notifications == null ? List.of() : List.copyOf(notifications);
  }

  public record Webhook(String secretEnv, String secretFile) {}

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

  public record App(
      String name,
      String repo,
      String revision,
      String path,
      String namespace,
      @JsonProperty("prune") Boolean prune,
      Credentials credentials) {
    public boolean pruneEnabled() {
      return Boolean.TRUE.equals(prune);
    }

    public String revisionOrDefault() {
      return revision == null || revision.isBlank() ? "HEAD" : revision;
    }

    public String pathOrDefault() {
      return path == null || path.isBlank() ? "." : path;
    }
  }

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

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

  List<String> problems() {
    List<String> problems = new ArrayList<>();
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
      if (app.credentials() != null
          && app.credentials().sshKeyFile() != null
          && app.credentials().knownHostsFile() == null) {
        problems.add(
            at
                + ".credentials.knownHostsFile: required with sshKeyFile, so the server's host key is checked");
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
    return problems;
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
