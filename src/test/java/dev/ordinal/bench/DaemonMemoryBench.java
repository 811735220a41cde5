package dev.ordinal.bench;

import static dev.ordinal.bench.BenchSupport.namespace;
import static dev.ordinal.bench.BenchSupport.settle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ordinal.git.TestRemote;
import dev.ordinal.testkit.ControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's memory alone (prints figures, asserts nothing): {@code ordinal run} in a JVM of its
 * own, with a 384 MiB heap by default ({@code -Xmx384m}, what the scale target allows) and the
 * other JVM options of {@code manifests/deployment.yaml} (run it from the repository), managing N
 * StatefulSets of no replicas from one Git repository on the real control plane. DaemonScaleBench
 * runs the daemon inside the bench's JVM, so its heap figure holds the bench too; this one reads
 * the daemon's process only, through {@code jcmd}: the live heap after a full GC, the RSS, and the
 * classes that hold the most. The target is absolute (≤ 10 KiB per StatefulSet for the whole
 * daemon), so the figure printed beside it is the whole live heap divided by N, with nothing
 * subtracted.
 *
 * <p>Taken twice: once the daemon has applied all N (the controller still writing their status),
 * and again when the StatefulSet controller has observed every one, so that the informer's copies
 * carry their status as they do in a steady cluster.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.ordinal.bench.DaemonMemoryBench 10000 384m
 * # JVM options for the daemon after the heap size (they come last, so they win), to see what
 * # one is worth:
 * java ... dev.ordinal.bench.DaemonMemoryBench 10000 384m -XX:-UseStringDeduplication
 * </pre>
 */
public final class DaemonMemoryBench {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private DaemonMemoryBench() {}

  /**
   * The JVM options of {@code manifests/deployment.yaml}'s container, but its heap share of the
   * container's limit, which this machine does not have: the bench gives the heap in MiB instead.
   */
  static List<String> deploymentJvmOptions() throws IOException {
    Path manifest = Path.of("manifests/deployment.yaml");
    try (MappingIterator<JsonNode> documents =
        new YAMLMapper().readerFor(JsonNode.class).readValues(manifest.toFile())) {
      for (JsonNode document : documents.readAll()) {
        if (!"Deployment".equals(document.path("kind").asText())) {
          continue;
        }
        for (JsonNode env : document.at("/spec/template/spec/containers/0/env")) {
          if ("JAVA_TOOL_OPTIONS".equals(env.path("name").asText())) {
            return Arrays.stream(env.path("value").asText().trim().split("\\s+"))
                .filter(option -> !option.startsWith("-XX:MaxRAMPercentage="))
                .toList();
          }
        }
      }
    }
    throw new IllegalStateException(manifest + " sets no JAVA_TOOL_OPTIONS on its Deployment");
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    String heap = args.length > 1 ? args[1] : "384m";
    BenchSupport.printLoad("at start");
    // The controller observes all N sooner; the daemon's figures do not depend on its pace.
    System.setProperty(ControlPlane.CONTROLLER_QPS, "200");
    ControlPlane plane = ControlPlane.shared();
    KubernetesClient admin = plane.client();
    String ns = namespace(admin, "dmem-" + Long.toString(System.nanoTime() % 100000, 36));
    Path dir = Files.createTempDirectory("ordinal-dmem");
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Path jcmd = java.resolveSibling("jcmd");

    try (TestRemote remote = TestRemote.create(dir.resolve("config.git"))) {
      Map<String, String> files = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        files.put("db-" + i + ".yaml", DaemonScaleBench.statefulSet(i, "1"));
      }
      remote.commit("main", files);
      Path config = BenchSupport.daemonConfig(dir, ns, "scale", remote.fileUrl(), "60s");
      Path log = dir.resolve("daemon.log");
      long s0 = System.nanoTime();
      List<String> command = new ArrayList<>();
      command.addAll(List.of(java.toString(), "-Xmx" + heap));
      command.addAll(deploymentJvmOptions());
      command.addAll(Arrays.asList(args).subList(Math.min(2, args.length), args.length));
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              "dev.ordinal.cli.Main",
              "run",
              "--config",
              config.toString(),
              "--kubeconfig",
              plane.kubeconfig().toString()));
      System.out.println("daemon JVM options: " + command.subList(1, command.indexOf("-cp")));
      Process daemon =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        while (BenchSupport.present(admin, ns) < n) {
          if (!daemon.isAlive()) {
            throw new IllegalStateException(
                "the daemon exited with " + daemon.exitValue() + "; its log: " + log);
          }
          Thread.sleep(2000);
        }
        System.out.printf(
            Locale.ROOT,
            "all %d StatefulSets applied by `ordinal run` at -Xmx%s, %d s after its start%n",
            n,
            heap,
            (System.nanoTime() - s0) / 1_000_000_000L);
        report("just after the first full sync", jcmd, daemon, n);
        settle(admin, ns, n);
        // A resync or two (3 m) with every status written: the steady state the daemon lives in.
        Thread.sleep(200_000);
        report("with every status observed, after a resync", jcmd, daemon, n);
        System.out.println("classes holding the most, after that GC:");
        jcmd(jcmd, daemon, "GC.class_histogram")
            .lines()
            .skip(2)
            .limit(15)
            .forEach(System.out::println);
        System.out.println("the daemon alive throughout: " + daemon.isAlive() + "; log: " + log);
      } finally {
        daemon.destroy();
        daemon.waitFor(30, TimeUnit.SECONDS);
      }
    }
    BenchSupport.printLoad("at end");
    System.exit(0);
  }

  private static void report(String when, Path jcmd, Process daemon, int n) throws Exception {
    jcmd(jcmd, daemon, "GC.run");
    String info = jcmd(jcmd, daemon, "GC.heap_info");
    Matcher used = USED.matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("no heap figure in jcmd's answer: " + info);
    }
    long usedKb = Long.parseLong(used.group(1));
    System.out.printf(
        Locale.ROOT,
        "%s: live heap after a full GC %.1f MiB = %.1f KiB per StatefulSet (target 10 KiB);"
            + " RSS %d MiB (the Deployment's limit: 512 Mi)%n",
        when,
        usedKb / 1024.0,
        (double) usedKb / n,
        BenchSupport.rssKb(daemon.pid()) / 1024);
  }

  private static String jcmd(Path jcmd, Process daemon, String command) throws Exception {
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(daemon.pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + out);
    }
    return out;
  }
}
