package dev.ordinal.bench;

import dev.ordinal.testkit.ControlPlane;
import dev.ordinal.testkit.StatefulSets;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
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

/**
 * Prints figures (no assertions): whole-process wall time, CPU time and peak RSS of {@code ordinal
 * diff} beside {@code kubectl diff --server-side} on the same real API server, for a repository of
 * N StatefulSets of which every tenth has a new image. Each process is measured by GNU time, so
 * both sides pay for their own start-up, their requests and their output. Runs are interleaved (one
 * of each per round, after one warm-up round that is not counted), so that load from elsewhere on
 * the machine falls on the rounds of both sides; it still weighs more on the side that needs more
 * CPU, hence the CPU column. kubectl applies (dry run) with Ordinal's field manager, {@code
 * ordinal}, which owns the live objects' fields, as Ordinal would apply them.
 *
 * <p>{@code ordinal} is started as users start it: {@code bin/ordinal}, which uses the class-data
 * archive that {@code mvn package} leaves beside the jar. A second row runs the same jar with plain
 * {@code java -jar}, without the archive or the launcher's options; {@code
 * -Dordinal.bench.baseline=JAR} adds a row for another build, such as the last release's. {@code
 * -Dordinal.bench.hold=true} seeds, prints the commands and waits, to profile one by hand.
 *
 * <pre>
 * mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.ordinal.bench.CliDiffBench [rounds] [N...]
 * </pre>
 */
public final class CliDiffBench {
  private static final String APP = "bench";
  private static final String CHANGED = "registry.local/db:2";
  private static final Path TIME = Path.of("/usr/bin/time");

  /** One process's figures, as GNU time reports them. */
  record Sample(double wallSeconds, double cpuSeconds, long maxRssKb, int exitCode) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    List<Integer> sizes =
        args.length > 1
            ? Arrays.stream(args, 1, args.length).map(Integer::parseInt).toList()
            : List.of(100, 1000);
    Path root = Path.of(System.getProperty("ordinal.bench.root", ".")).toAbsolutePath();
    Path launcher = root.resolve("bin/ordinal");
    Path jar = root.resolve("target/ordinal.jar");
    String kubectl = System.getProperty("ordinal.bench.kubectl", "/usr/bin/kubectl");
    if (!Files.isExecutable(TIME) || !Files.isRegularFile(jar)) {
      throw new IllegalStateException("needs " + TIME + " and " + jar + " (mvn package)");
    }
    ControlPlane plane = ControlPlane.shared();
    String kubeconfig = plane.kubeconfig().toString();
    System.out.printf(
        Locale.ROOT,
        "cores=%d java=%s kubectl=%s archive=%s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        version(kubectl),
        Files.exists(root.resolve("target/ordinal.jsa")) ? "present" : "absent");
    for (int n : sizes) {
      String ns = "clidiff-" + n + "-" + Long.toString(System.nanoTime() % 100000, 36);
      Path repo = seed(plane.client(), ns, n);
      Map<String, List<String>> commands = new LinkedHashMap<>();
      List<String> diff = List.of("diff", repo.toString(), "--kubeconfig", kubeconfig, "-n", ns);
      commands.put("ordinal diff (bin/ordinal)", concat(List.of(launcher.toString()), diff));
      commands.put(
          "ordinal diff (java -jar)", concat(List.of("java", "-jar", jar.toString()), diff));
      String baseline = System.getProperty("ordinal.bench.baseline");
      if (baseline != null) {
        commands.put(
            "ordinal diff (baseline jar)", concat(List.of("java", "-jar", baseline), diff));
      }
      commands.put(
          "kubectl diff --server-side",
          List.of(
              kubectl,
              "--kubeconfig",
              kubeconfig,
              "diff",
              "--server-side",
              "--field-manager=ordinal",
              "--force-conflicts",
              "-n",
              ns,
              "-f",
              repo.toString()));
      if (Boolean.getBoolean("ordinal.bench.hold")) { // to profile a command by hand
        commands.values().forEach(c -> System.out.println(String.join(" ", c)));
        Thread.sleep(Long.MAX_VALUE);
      }
      Map<String, List<Sample>> samples = new LinkedHashMap<>();
      commands.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
      for (int round = 0; round <= rounds; round++) {
        for (Map.Entry<String, List<String>> command : commands.entrySet()) {
          Sample sample = measure(command.getValue(), n / 10);
          if (round > 0) { // round 0 warms the API server's caches and the page cache
            samples.get(command.getKey()).add(sample);
          }
        }
      }
      System.out.printf(
          Locale.ROOT, "%n%d StatefulSets, %d changed; median of %d runs%n", n, n / 10, rounds);
      System.out.printf(
          Locale.ROOT,
          "  %-30s %8s %8s %8s %9s %5s%n",
          "",
          "wall s",
          "min s",
          "cpu s",
          "max RSS",
          "exit");
      for (Map.Entry<String, List<Sample>> entry : samples.entrySet()) {
        List<Sample> runs = entry.getValue();
        System.out.printf(
            Locale.ROOT,
            "  %-30s %8.2f %8.2f %8.2f %5d MiB %5s%n",
            entry.getKey(),
            median(runs.stream().mapToDouble(Sample::wallSeconds).toArray()),
            runs.stream().mapToDouble(Sample::wallSeconds).min().orElse(0),
            median(runs.stream().mapToDouble(Sample::cpuSeconds).toArray()),
            runs.stream().mapToLong(Sample::maxRssKb).max().orElse(0) / 1024,
            runs.stream().map(s -> Integer.toString(s.exitCode())).distinct().toList());
      }
      plane.client().namespaces().withName(ns).delete();
    }
    System.exit(0);
  }

  /**
   * Writes N StatefulSets to a new folder and applies them as Ordinal would (server-side apply,
   * field manager {@code ordinal}, the app's inventory label), then changes the image of every
   * tenth in the folder, so both tools have the same N/10 changes to show.
   */
  private static Path seed(KubernetesClient client, String ns, int n) throws Exception {
    BenchSupport.namespace(client, ns);
    Path repo = Files.createTempDirectory("ordinal-clidiff");
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      StatefulSet live = StatefulSets.statefulSet("db-" + i, 0, "registry.local/db:1");
      live.getMetadata().setLabels(Map.of("tier", "data", "ordinal.dev/app", APP));
      client
          .resource(live)
          .inNamespace(ns)
          .fieldManager("ordinal")
          .forceConflicts()
          .serverSideApply();
      if (i % 10 == 0) {
        live.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(CHANGED);
      }
      Files.writeString(
          repo.resolve("db-" + i + ".yaml"), client.getKubernetesSerialization().asYaml(live));
    }
    System.out.printf(
        Locale.ROOT,
        "seeded %d StatefulSets in %s in %d ms%n",
        n,
        ns,
        (System.nanoTime() - t0) / 1_000_000);
    return repo;
  }

  /** Runs one process under GNU time; its output goes to a file, checked for the changes shown. */
  private static Sample measure(List<String> command, int changed) throws Exception {
    Path report = Files.createTempFile("ordinal-time", ".txt");
    Path out = Files.createTempFile("ordinal-diff", ".txt");
    try {
      List<String> timed =
          concat(List.of(TIME.toString(), "-f", "%e %U %S %M", "-o", report.toString()), command);
      Process process =
          new ProcessBuilder(timed)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("no answer within 10 minutes: " + command);
      }
      long shown =
          Files.readAllLines(out).stream()
              .filter(line -> line.startsWith("+") && line.contains("image: " + CHANGED))
              .count();
      if (shown != changed) {
        System.out.printf(
            Locale.ROOT,
            "  note: %s showed %d of %d image changes (exit %d)%n",
            command.get(0),
            shown,
            changed,
            process.exitValue());
      }
      List<String> lines = Files.readAllLines(report);
      String[] f = lines.get(lines.size() - 1).trim().split("\\s+");
      return new Sample(
          Double.parseDouble(f[0]),
          Double.parseDouble(f[1]) + Double.parseDouble(f[2]),
          Long.parseLong(f[3]),
          process.exitValue());
    } finally {
      Files.deleteIfExists(report);
      Files.deleteIfExists(out);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String version(String kubectl) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(kubectl, "version", "--client").redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return text.lines().findFirst().orElse("?").replace("Client Version: ", "");
  }
}
