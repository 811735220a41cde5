package dev.ordinal.testkit;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes control plane for integration tests: etcd and kube-apiserver started by
 * fabric8's kube-api-test in offline mode, plus kube-controller-manager running the StatefulSet and
 * garbage-collector controllers. There is no kubelet and no scheduler; {@link PodSimulator} plays
 * the kubelet's part.
 *
 * <p>One control plane serves the whole test JVM (starting one costs seconds); test classes isolate
 * themselves with namespaces of their own.
 */
public final class ControlPlane {
  public static final String K8S_VERSION = System.getProperty("ordinal.k8s.version", "1.35.4");
  static final String BUILD_SCRIPT = "src/test/controlplane/build-control-plane.sh";

  private static ControlPlane shared;

  private final Path cacheDir;
  private final KubeAPIServer apiServer;
  private final Path kubeconfig;
  private final Process controllerManager;
  private final KubernetesClient client;
  private final Duration startup;
  private final Path auditLog;

  /**
   * Requests by service accounts are audited (and nothing else, to keep the log small): tests that
   * run Ordinal under its generated RBAC read from it which verbs the code used.
   */
  private static final String AUDIT_POLICY =
      """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitStages: [RequestReceived]
      rules:
        - level: Metadata
          userGroups: ["system:serviceaccounts"]
        - level: None
      """;

  private ControlPlane(Path cacheDir) {
    long t0 = System.nanoTime();
    this.cacheDir = cacheDir;
    Path binDir = binaryDir(cacheDir);
    requireBinaries(binDir);
    Path auditPolicy;
    try {
      Path auditDir = Files.createTempDirectory("ordinal-audit");
      auditPolicy = Files.writeString(auditDir.resolve("policy.yaml"), AUDIT_POLICY);
      auditLog = auditDir.resolve("audit.log");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    apiServer =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withOfflineMode(true)
                .withTestDir(cacheDir.toString())
                .withApiServerVersion(K8S_VERSION)
                .withUpdateKubeConfig(false)
                .withStartupTimeout(120_000)
                // Beta and off by default in 1.35; Ordinal supports maxUnavailable batches.
                .withApiServerFlag("--feature-gates", "MaxUnavailableStatefulSet=true")
                .withApiServerFlag("--audit-policy-file", auditPolicy.toString())
                .withApiServerFlag("--audit-log-path", auditLog.toString())
                // Written as requests finish, so a test reads its own requests at once.
                .withApiServerFlag("--audit-log-mode", "blocking")
                .build());
    apiServer.start();
    try {
      kubeconfig = Files.createTempFile("ordinal-kubeconfig", ".yaml");
      kubeconfig.toFile().deleteOnExit();
      Files.writeString(kubeconfig, apiServer.getKubeConfigYaml(), StandardCharsets.UTF_8);
      controllerManager = startControllerManager(binDir, kubeconfig);
    } catch (IOException e) {
      apiServer.stop();
      throw new UncheckedIOException(e);
    }
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml()))
            .build();
    startup = Duration.ofNanos(System.nanoTime() - t0);
  }

  /** The control plane shared by every test in this JVM, started on first use. */
  public static synchronized ControlPlane shared() {
    if (shared == null) {
      String dir =
          System.getProperty(
              "ordinal.k8s.cache",
              System.getenv()
                  .getOrDefault(
                      "ORDINAL_K8S_CACHE",
                      System.getProperty("user.home") + "/.cache/ordinal/k8s"));
      shared = new ControlPlane(Path.of(dir));
      System.out.printf(
          "test control plane (Kubernetes %s) started in %d ms%n",
          K8S_VERSION, shared.startup.toMillis());
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "control-plane-stop"));
    }
    return shared;
  }

  public KubernetesClient client() {
    return client;
  }

  /** A kubeconfig file for the admin user, for processes and CLIs under test. */
  /** The kubectl built with this control plane's version; it does Kustomize too. */
  public Path kubectl() {
    return binaryDir(cacheDir).resolve("kubectl");
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public String kubeconfigYaml() {
    return apiServer.getKubeConfigYaml();
  }

  /**
   * The API server's audit log: one JSON event per line, for requests made by service accounts
   * (with a token from the TokenRequest API).
   */
  public Path auditLog() {
    return auditLog;
  }

  /** How long this control plane took to start, for the figures in test logs. */
  public Duration startupTime() {
    return startup;
  }

  /** A new client; callers close it. Useful to simulate a second Ordinal instance. */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(apiServer.getKubeConfigYaml()))
        .build();
  }

  synchronized void stop() {
    client.close();
    controllerManager.destroy();
    try {
      if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) {
        controllerManager.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    apiServer.stop();
  }

  static Path binaryDir(Path cacheDir) {
    String os =
        System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            ? "linux"
            : "darwin";
    String arch = System.getProperty("os.arch").contains("aarch64") ? "arm64" : "amd64";
    return cacheDir.resolve("k8s").resolve(K8S_VERSION + "-" + os + "-" + arch);
  }

  private static void requireBinaries(Path binDir) {
    List<String> missing = new ArrayList<>();
    for (String binary : List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl")) {
      if (!Files.isExecutable(binDir.resolve(binary))) {
        missing.add(binDir.resolve(binary).toString());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "The test control plane is not built: missing "
              + String.join(", ", missing)
              + ". Run 'bash "
              + BUILD_SCRIPT
              + "' (it builds Kubernetes "
              + K8S_VERSION
              + " from Go modules into that cache; set ORDINAL_K8S_CACHE to move it).");
    }
  }

  /**
   * A system property a bench may set before the control plane starts: kube-controller-manager's
   * requests per second (and burst) to the API server.
   */
  public static final String CONTROLLER_QPS = "ordinal.test.controller-qps";

  private static Process startControllerManager(Path binDir, Path kubeconfig) throws IOException {
    Path log = Files.createTempFile("kube-controller-manager", ".log");
    List<String> command =
        List.of(
            binDir.resolve("kube-controller-manager").toString(),
            "--kubeconfig=" + kubeconfig,
            "--leader-elect=false",
            // Only what a StatefulSet rollout needs: the controller itself, garbage collection of
            // orphans, and the pvc-protection finalizer's controller, so a deleted claim goes once
            // no pod uses it, as in a real cluster (restores depend on it).
            "--controllers=statefulset-controller,garbage-collector-controller,"
                + "persistentvolumeclaim-protection-controller",
            "--secure-port=0",
            "--feature-gates=MaxUnavailableStatefulSet=true",
            "--concurrent-statefulset-syncs=5",
            // The client's default, 20 requests a second, unless a bench asks for more: each new
            // StatefulSet costs the controller two writes (its revision and its status), so
            // 10,000 created at once took it over 15 minutes to observe.
            "--kube-api-qps=" + System.getProperty(CONTROLLER_QPS, "20"),
            "--kube-api-burst=" + System.getProperty(CONTROLLER_QPS, "30"),
            "--v=1");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    waitForControllerManager(process, log);
    return process;
  }

  /** kube-controller-manager has no readiness endpoint once its port is off; watch its log. */
  private static void waitForControllerManager(Process process, Path log) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "kube-controller-manager exited with "
                + process.exitValue()
                + ":\n"
                + Files.readString(log));
      }
      String text = Files.readString(log);
      int started = text.indexOf("Starting stateful set controller");
      if (started >= 0 && text.indexOf("Caches are synced", started) >= 0) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException(
        "kube-controller-manager did not start the statefulset controller within 60s; log: " + log);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
