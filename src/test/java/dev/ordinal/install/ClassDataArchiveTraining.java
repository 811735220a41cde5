package dev.ordinal.install;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.testkit.MockApiServer;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the training run behind the class-data archive beside the jar ({@code
 * target/ordinal.jsa}), which {@code bin/ordinal} starts one-shot commands on. pom.xml runs it at
 * {@code package}, after the jar is built, even with {@code -DskipTests} ({@code
 * -Dordinal.cds.skip=true} leaves it out). It runs the commands the archive is for, each as its own
 * process through the launcher, records the classes each loads, and dumps them all into one static
 * archive with the Java that runs the build, which is the Java the launcher must run for the
 * archive to count. {@code diff}, {@code plan} and {@code status} talk to fabric8's mock API
 * server, holding the example's objects with a changed image and ten StatefulSets more.
 */
class ClassDataArchiveTraining {
  private static final Duration LIMIT = Duration.ofMinutes(3);
  private static final String EXAMPLE = "examples/orders-db/envs/prod";
  private static final String NS = "orders";

  // `mvn package` runs this: the mock server's line per request (INFO, on the build's console)
  // says nothing the build needs. Held here, as JUL keeps loggers only weakly.
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

  static {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  @Test
  void trainAndDump() throws Exception {
    long t0 = System.nanoTime();
    Path jar = Path.of(System.getProperty("ordinal.jar", "target/ordinal.jar")).toAbsolutePath();
    Path archive = jar.resolveSibling("ordinal.jsa");
    Files.deleteIfExists(archive); // the last build's: the runs below must not start on it
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path work = Files.createTempDirectory("ordinal-cds");
    Set<String> classes = new LinkedHashSet<>();

    KubernetesMockServer server = MockApiServer.crud();
    try (KubernetesClient client = server.createClient()) {
      Path many = seed(client, work);
      String kubeconfig =
          MockApiServer.kubeconfig(server, NS, work.resolve("kubeconfig.yaml")).toString();
      List<String> cluster = List.of("--kubeconfig", kubeconfig, "-n", NS);
      List<List<String>> runs =
          List.of(
              List.of("validate", EXAMPLE),
              // a rollout plan, and a diff of changed objects read with a LIST: between them
              // what diff and plan load
              concat(List.of("plan", EXAMPLE), cluster),
              concat(List.of("diff", many.toString()), cluster),
              concat(List.of("status"), cluster));
      for (int i = 0; i < runs.size(); i++) {
        Path list = work.resolve(i + ".classlist");
        Map<String, String> env = launcher(jar, "-XX:DumpLoadedClassList=" + list);
        Exec run = Exec.run(LIMIT, env, concat(List.of("bin/ordinal"), runs.get(i)));
        // diff and plan exit 1 when they find changes, as they do here
        assertTrue(run.exitCode() <= 1, runs.get(i) + " exited " + run.exitCode() + run.err());
        // Each list repeats the JDK's classes and lambda forms; the dump refuses some repeats.
        classes.addAll(Files.readAllLines(list));
      }
    } finally {
      server.destroy();
    }

    Path merged = Files.write(work.resolve("ordinal.classlist"), classes);
    Exec.run(
            LIMIT,
            java.toString(),
            "-Xshare:dump",
            "-XX:SharedClassListFile=" + merged,
            "-XX:SharedArchiveFile=" + archive,
            "-Xlog:cds=off",
            "-cp",
            jar.toString())
        .orFail("the class-data dump");
    // -Xshare:on fails rather than start without it: the launcher's JVM can map this archive.
    Exec.run(LIMIT, launcher(jar, "-Xshare:on"), List.of("bin/ordinal", "version"))
        .orFail("bin/ordinal version on the archive");
    System.out.printf(
        "class-data archive %s: %d classes and lambda forms, %d MiB, made in %d s by %s%n",
        archive,
        classes.stream().filter(l -> !l.startsWith("#")).count(),
        Files.size(archive) >> 20,
        (System.nanoTime() - t0) / 1_000_000_000,
        java);
  }

  /**
   * The example's built-in objects in namespace {@value #NS}, labelled as Ordinal labels them, with
   * an older image in the StatefulSet (a diff and a rollout plan to show); and a folder of ten
   * StatefulSets, enough to be read with a LIST, each live with an older image.
   */
  private static Path seed(KubernetesClient client, Path work) throws Exception {
    List<Path> files;
    try (Stream<Path> listed = Files.list(Path.of(EXAMPLE))) {
      files = listed.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        for (HasMetadata object : client.load(in).items()) {
          if (object instanceof GenericKubernetesResource) {
            continue; // Ordinal's own kinds: the mock serves no such resource
          }
          object.getMetadata().setLabels(Map.of("ordinal.dev/app", "orders-db"));
          if (object instanceof StatefulSet sts) {
            sts.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("postgres:15");
          }
          client.resource(object).inNamespace(NS).create();
        }
      }
    }
    Path many = Files.createDirectories(work.resolve("many"));
    for (int i = 0; i < 10; i++) {
      StatefulSet live = StatefulSets.statefulSet("db-" + i, 1, "registry.local/db:1");
      live.getMetadata().setLabels(Map.of("ordinal.dev/app", "orders-db"));
      client.resource(live).inNamespace(NS).create();
      live.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("registry.local/db:2");
      Files.writeString(
          many.resolve("db-" + i + ".yaml"), client.getKubernetesSerialization().asYaml(live));
    }
    return many;
  }

  /** The environment for bin/ordinal: this JVM's Java, the jar, and {@code javaOptions}. */
  static Map<String, String> launcher(Path jar, String javaOptions) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("ORDINAL_JAR", jar.toString());
    env.put("ORDINAL_JAVA_OPTS", javaOptions);
    return env;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
