package dev.ordinal.kube;

import dev.ordinal.analysis.RunRecord;
import dev.ordinal.manifest.Escapes;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ReadFailures;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the one-shot CLI commands need of a cluster, over fabric8: connect from a kubeconfig, read
 * StatefulSets and pods, watch a namespace, set annotations. Every failure is a {@link
 * ClusterException} whose message names the server, the kubeconfig and the context.
 */
public final class KubeAccess implements AutoCloseable {
  private final Config config;
  private final DirectReads direct;
  private final String where;
  private KubernetesClient client;
  private boolean closed;

  private KubeAccess(Config config, DirectReads direct, String where) {
    this.config = config;
    this.direct = direct;
    this.where = where;
  }

  /**
   * Connects with a kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster) and a
   * context (default: the current one). Nothing is sent until a read; fabric8's client is made on
   * the first read.
   */
  public static KubeAccess connect(Path kubeconfig, String context) {
    return connect(kubeconfig, context, false);
  }

  /**
   * Connects as {@link #connect(Path, String)} does, for a one-shot command that reads the live
   * twins of its manifests ({@link #cluster()}): the kubeconfig's TLS material is loaded now, and
   * objects of fabric8's model are read over the JDK's HTTP client ({@link DirectReads}) where the
   * kubeconfig allows, so that fabric8's client is made only if something needs it.
   */
  public static KubeAccess connectForReads(Path kubeconfig, String context) {
    return connect(kubeconfig, context, true);
  }

  private static KubeAccess connect(Path kubeconfig, String context, boolean directReads) {
    if (kubeconfig == null) {
      Optional<String> none =
          noKubeconfig(
              System.getenv("KUBECONFIG"),
              Path.of(System.getProperty("user.home")),
              System.getenv("KUBERNETES_SERVICE_HOST") != null);
      if (none.isPresent()) {
        throw new ClusterException(none.get());
      }
    }
    Config config;
    String source;
    try {
      if (kubeconfig != null) {
        config =
            Config.fromKubeconfig(context, Files.readString(kubeconfig), kubeconfig.toString());
        source = kubeconfig.toString();
      } else {
        config = Config.autoConfigure(context);
        String env = System.getenv("KUBECONFIG");
        source = env != null ? env : System.getProperty("user.home") + "/.kube/config";
      }
    } catch (IOException e) {
      throw new ClusterException(
          Escapes.controls("cannot read kubeconfig " + kubeconfig + ": " + ReadFailures.why(e)));
    } catch (KubernetesClientException | IllegalArgumentException e) {
      throw new ClusterException(
          Escapes.controls(
              "cannot use kubeconfig"
                  + (kubeconfig == null ? "" : " " + kubeconfig)
                  + (context == null ? "" : " with context " + context)
                  + ": "
                  + wrongShape(e).orElse(e.getMessage())));
    } catch (RuntimeException e) {
      // fabric8 parses with SnakeYAML and lets its errors through, several lines and a stack of
      // them: a broken kubeconfig is a usage error, which must not read as a command's answer.
      throw new ClusterException(
          Escapes.controls(
              "kubeconfig "
                  + (kubeconfig == null ? "(default)" : kubeconfig.toString())
                  + " is not a kubeconfig Ordinal can read: "
                  + oneLine(e.getMessage())
                  + "; check it with kubectl config view"));
    }
    if (context != null && !context.equals(currentContext(config))) {
      List<String> known =
          config.getContexts() == null
              ? List.of()
              : config.getContexts().stream()
                  .map(named -> Escapes.controls(named.getName()))
                  .sorted()
                  .toList();
      throw new ClusterException(
          "context '"
              + Escapes.controls(context)
              + "' is not in kubeconfig "
              + source
              + (known.isEmpty()
                  ? ", which has no contexts"
                  : "; it has " + String.join(", ", known) + ": name one with --context"));
    }
    // A one-shot command should say the cluster is unreachable within seconds, not retry for long.
    config.setRequestRetryBackoffLimit(1);
    config.setConnectionTimeout(5_000);
    // The server and context names come from a file the user may not have written.
    String where =
        "server "
            + Escapes.controls(config.getMasterUrl())
            + " (kubeconfig "
            + Escapes.controls(source)
            + ", context "
            + Optional.ofNullable(currentContext(config)).map(Escapes::controls).orElse("(none)")
            + ")";
    DirectReads direct = directReads ? DirectReads.of(config, ManifestLoader.modelReader()) : null;
    return new KubeAccess(config, direct, where);
  }

  /**
   * Why no cluster can be found without {@code --kubeconfig}: no $KUBECONFIG, no kubeconfig in
   * {@code home}, and not in a pod; empty when one of them is there. Without this check the client
   * would try the in-cluster address, and the user would read about a host they never named.
   */
  static Optional<String> noKubeconfig(String kubeconfigEnv, Path home, boolean inCluster) {
    Path usual = home.resolve(".kube").resolve("config");
    if ((kubeconfigEnv != null && !kubeconfigEnv.isBlank()) || Files.exists(usual) || inCluster) {
      return Optional.empty();
    }
    return Optional.of(
        "no cluster to talk to: $KUBECONFIG is not set, "
            + usual
            + " does not exist, and this is not a pod in a cluster; give --kubeconfig FILE or set"
            + " KUBECONFIG (or try 'ordinal demo', which needs no cluster)");
  }

  private static String currentContext(Config config) {
    return config.getCurrentContext() == null ? null : config.getCurrentContext().getName();
  }

  /** The cluster ports over this connection, reading directly: one-shot commands fill no cache. */
  public KubeCluster cluster() {
    return KubeCluster.direct(this::client, direct);
  }

  /** The cluster ports for a daemon that names itself {@code identity} in its Events. */
  public KubeCluster clusterFor(String identity, Clock clock) {
    return new KubeCluster(client(), identity, clock);
  }

  /** The context's namespace, or "default". */
  public String defaultNamespace() {
    String ns = config.getNamespace();
    return ns == null ? "default" : ns;
  }

  /** Server, kubeconfig and context, for messages. */
  public String where() {
    return where;
  }

  public Optional<StatefulSet> statefulSet(String namespace, String name) {
    return call(
        () ->
            Optional.ofNullable(
                client().apps().statefulSets().inNamespace(namespace).withName(name).get()));
  }

  public List<StatefulSet> statefulSets(String namespace) {
    return call(() -> client().apps().statefulSets().inNamespace(namespace).list().getItems());
  }

  public List<Pod> pods(String namespace) {
    return call(() -> client().pods().inNamespace(namespace).list().getItems());
  }

  /** The analysis runs Ordinal keeps in its namespace; empty when they cannot be read. */
  public List<RunRecord> analysisRuns(String ordinalNamespace, String configMap) {
    try {
      return new ConfigMapRunStore(client(), ordinalNamespace, configMap).loadAll();
    } catch (KubernetesClientException e) {
      return List.of();
    }
  }

  /** The outcome of {@link #mergePatch}. */
  public sealed interface PatchOutcome {
    record Patched(StatefulSet sts) implements PatchOutcome {}

    record NotFound() implements PatchOutcome {}

    record Forbidden(String message) implements PatchOutcome {}
  }

  /** A JSON merge patch of a StatefulSet (commands set annotations this way). */
  public PatchOutcome mergePatch(String namespace, String name, String patch) {
    try {
      StatefulSet patched =
          client()
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .withName(name)
              .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      return patched == null ? new PatchOutcome.NotFound() : new PatchOutcome.Patched(patched);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return new PatchOutcome.NotFound();
      }
      if (e.getCode() == 401 || e.getCode() == 403) {
        return new PatchOutcome.Forbidden(
            e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
      }
      throw explain(e);
    }
  }

  /**
   * Watches a namespace's StatefulSets (or one of them) and pods: {@code onEvent} on every change,
   * {@code onClosed} with a reason when the server ends a watch. Close the handle to stop.
   */
  public AutoCloseable watch(
      String namespace, String name, Runnable onEvent, Consumer<String> onClosed) {
    List<Watch> watches = new ArrayList<>();
    Watcher<Object> signal =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, Object resource) {
            onEvent.run();
          }

          @Override
          public void onClose(WatcherException cause) {
            onClosed.accept(cause.getMessage());
          }
        };
    try {
      var sets = client().apps().statefulSets().inNamespace(namespace);
      watches.add(
          name == null ? sets.watch(cast(signal)) : sets.withName(name).watch(cast(signal)));
      // A StatefulSet's pods are found by name and owner, so watch the namespace's pods.
      watches.add(client().pods().inNamespace(namespace).watch(cast(signal)));
    } catch (KubernetesClientException e) {
      watches.forEach(Watch::close);
      throw explain(e);
    }
    return () -> {
      for (Watch w : watches) {
        try {
          w.close();
        } catch (RuntimeException e) {
          // already closed by the server: nothing to release
        }
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> Watcher<T> cast(Watcher<Object> watcher) {
    return (Watcher<T>) (Watcher<?>) watcher;
  }

  private <T> T call(Supplier<T> read) {
    try {
      return ClosedConnections.read(read);
    } catch (KubernetesClientException e) {
      throw explain(e);
    }
  }

  /**
   * {@link #explain} of {@code e} when fabric8's client failed somewhere under it; empty for any
   * other failure, which is a defect to report as it is, not a cluster to blame.
   */
  public Optional<ClusterException> explainClientFailure(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException || t instanceof ClusterException) {
        return Optional.of(explain(e));
      }
    }
    return Optional.empty();
  }

  /** A client failure as a message that says where Ordinal tried and what to try. */
  public ClusterException explain(RuntimeException e) {
    if (e instanceof ClusterException known) {
      return known;
    }
    // The cluster ports translate the client's failure into their own exception, which does not
    // say where they tried.
    KubernetesClientException client = null;
    for (Throwable t = e;
        t != null && client == null;
        t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k) {
        client = k;
      }
    }
    String detail = e.getMessage() == null ? e.toString() : e.getMessage();
    if (client == null) {
      return new ClusterException(detail);
    }
    if (client.getCode() == 401 || client.getCode() == 403) {
      return new ClusterException(
          "not allowed by " + where + ": " + detail + "; check the kubeconfig's user");
    }
    if (causedByIo(client)) {
      return new ClusterException(
          "cannot reach the cluster at "
              + where
              + ": "
              + rootMessage(client)
              + "; is the server up, and --kubeconfig/--context right?");
    }
    return new ClusterException("cluster error from " + where + ": " + detail);
  }

  private static boolean causedByIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof UnknownHostException) {
      // Its message is the bare host name.
      return "unknown host " + t.getMessage();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** Whether fabric8's client has been made: what a test of a one-shot read asks. */
  synchronized boolean clientMade() {
    return client != null;
  }

  /** fabric8's client, made on first use. */
  private synchronized KubernetesClient client() {
    if (closed) {
      throw new IllegalStateException("the connection to " + where + " is closed");
    }
    if (client == null) {
      client = new KubernetesClientBuilder().withConfig(config).build();
    }
    return client;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (client != null) {
      client.close();
    }
  }

  /**
   * A YAML parser's message on one line: its statements ("while parsing a flow node", "expected the
   * node content...") without the excerpt and caret lines under them, and the line it names.
   */
  static String oneLine(String message) {
    if (message == null || message.isBlank()) {
      return "unreadable";
    }
    List<String> said = new ArrayList<>();
    String line = null;
    for (String text : message.split("\n")) {
      java.util.regex.Matcher at = LINE.matcher(text);
      if (line == null && at.find()) {
        line = at.group(1);
      } else if (!text.isBlank() && !Character.isWhitespace(text.charAt(0))) {
        said.add(text.strip());
      }
    }
    return (line == null ? "" : "line " + line + ": ") + String.join(": ", said);
  }

  private static final java.util.regex.Pattern LINE =
      java.util.regex.Pattern.compile("^\\s+in .*line (\\d+), column \\d+");

  /**
   * Jackson's refusal of a field of the kubeconfig (a number where a list goes), in words: its
   * message names Java types and fabric8's model classes, which the user never wrote.
   */
  private static Optional<String> wrongShape(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof com.fasterxml.jackson.databind.JsonMappingException mapping
          && !mapping.getPath().isEmpty()) {
        String field =
            mapping.getPath().stream()
                .map(
                    ref ->
                        ref.getFieldName() != null
                            ? ref.getFieldName()
                            : "[" + ref.getIndex() + "]")
                .collect(java.util.stream.Collectors.joining("."))
                .replace(".[", "[");
        return Optional.of(
            field + " has the wrong shape for a kubeconfig; check it with kubectl config view");
      }
    }
    return Optional.empty();
  }
}
