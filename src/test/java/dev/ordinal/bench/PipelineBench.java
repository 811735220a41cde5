package dev.ordinal.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSource;
import dev.ordinal.git.GitSourceConfig;
import dev.ordinal.git.PollResult;
import dev.ordinal.git.TestRemote;
import dev.ordinal.manifest.DesiredState;
import dev.ordinal.manifest.LoadResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.ManifestLoader;
import dev.ordinal.manifest.ManifestObject;
import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.SourceTree;
import dev.ordinal.plan.Plan;
import dev.ordinal.plan.PlanMemo;
import dev.ordinal.plan.PlanOptions;
import dev.ordinal.plan.Planner;
import dev.ordinal.testkit.Loaders;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Prints the figures of the GitOps pipeline (not a test): parse + plan of N distinct StatefulSets
 * through the real {@link ManifestLoader} and {@link Planner}, from a cold process and warm; the
 * cost of a no-change poll; and a one-file change in a 10,000-manifest repository from fetch to
 * plan ready. Live objects are parsed once up front: in the daemon they come from the API server.
 * Each figure is printed beside its floor from the same run: Jackson's typed parse of the same
 * documents (warm in the same JVM, cold in a fresh one), both on as many threads as Ordinal uses
 * and on one; and plain JGit fetch, read and parse of the one changed file. Both sides run on one
 * thread with {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=0}.
 *
 * <pre>
 * mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * CP=target/classes:target/test-classes:$(cat target/cp.txt)
 * java -cp $CP dev.ordinal.bench.PipelineBench cold 10000   # cold load+plan of 10,000 against the cold floors, 3 rounds
 * java -cp $CP dev.ordinal.bench.PipelineBench cold-plan 10000   # one cold child alone (also cold-floor, cold-floor-parallel, cold-floor-kept)
 * java -cp $CP dev.ordinal.bench.PipelineBench              # warm 1,000 and 10,000, polls, one-file change
 * java -cp $CP dev.ordinal.bench.PipelineBench change       # only the polls and the one-file change
 * java -cp $CP dev.ordinal.bench.PipelineBench warm 1000    # only the warm parse+plan of 1,000
 * </pre>
 */
public final class PipelineBench {
  private static final PlanOptions OPTIONS = PlanOptions.of("prod", "shop");
  private static final int MEASURED_ROUNDS = 20;
  private static final int QUIET_ROUNDS = 5;
  private static final long QUIET_COMPILE_MILLIS = 5;
  private static final long WARM_LIMIT_NANOS = 60_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML =
      new YAMLMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static void main(String[] args) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "cores=%d java=%s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    if (args.length == 2
        && (args[0].equals("cold-floor")
            || args[0].equals("cold-floor-parallel")
            || args[0].equals("cold-floor-kept"))) {
      int size = Integer.parseInt(args[1]);
      Corpus corpus = Corpus.generate(size);
      String wait = awaitQuietJit();
      Map<String, Double> cpuBefore = ThreadCpu.byGroup();
      long classesBefore = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
      long start = System.nanoTime();
      List<StatefulSet> kept = List.of();
      int parsed;
      switch (args[0]) {
        case "cold-floor" -> parsed = jacksonParse(corpus);
        case "cold-floor-parallel" -> parsed = jacksonParseParallel(corpus);
        default -> {
          kept = jacksonParseKept(corpus);
          parsed = kept.size();
        }
      }
      long end = System.nanoTime();
      printColdResult(parsed, end - start, cpuBefore, classesBefore, wait);
      // Reachable until the clock stopped, as a plan's desired objects are.
      Objects.requireNonNull(kept);
      return;
    }
    if (args.length == 2 && args[0].equals("cold-plan")) {
      int size = Integer.parseInt(args[1]);
      Corpus corpus = Corpus.generate(size);
      SourceTree tree = corpus.tree("r1");
      String wait = awaitQuietJit();
      Map<String, Double> cpuBefore = ThreadCpu.byGroup();
      long classesBefore = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
      long start = System.nanoTime();
      DesiredState state = load(Loaders.forFixtures(), tree);
      long loaded = System.nanoTime();
      Map<String, Double> cpuLoaded = ThreadCpu.byGroup();
      Plan plan = plan(state, corpus.live(), null);
      long end = System.nanoTime();
      check(plan, size);
      // The two phases apart: a cold plan's cost beyond the floor lies in the second, which the
      // floor has no part of.
      StringBuilder planCpu = new StringBuilder();
      for (var e : ThreadCpu.byGroup().entrySet()) {
        double used = e.getValue() - cpuLoaded.getOrDefault(e.getKey(), 0.0);
        planCpu.append(String.format(Locale.ROOT, " plan-%s=%.2f", e.getKey(), used));
      }
      printColdResult(
          size,
          end - start,
          cpuBefore,
          classesBefore,
          String.format(
                  Locale.ROOT,
                  " load-ms=%.0f plan-ms=%.0f",
                  (loaded - start) / 1e6,
                  (end - loaded) / 1e6)
              + planCpu
              + wait);
      return;
    }
    if ((args.length == 2 || args.length == 3) && args[0].equals("cold")) {
      cold(Integer.parseInt(args[1]), args.length == 3 ? Integer.parseInt(args[2]) : 3);
      return;
    }
    if (args.length == 2 && args[0].equals("warm")) {
      warm(Integer.parseInt(args[1]));
      return;
    }
    if (args.length == 1 && args[0].equals("change")) {
      polls();
      return;
    }
    for (int size : new int[] {1_000, 10_000}) {
      warm(size);
    }
    polls();
    System.out.printf(
        Locale.ROOT,
        "load average (1 min) at end: %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /**
   * Cold load+plan against both cold floors (on Ordinal's threads and on one), each in a fresh JVM
   * of its own, one after the other, with the first of them rotating from round to round, from this
   * process, which stays idle meanwhile. Earlier the floor ran as a child of the measured process,
   * whose JIT was still compiling on the second core, and it read 3.4-4.3 s against 1.6-1.9 s alone
   * on the same machine.
   */
  private static void cold(int size, int rounds) throws Exception {
    if (rounds < 1) {
      throw new IllegalArgumentException("cold needs at least one round, got " + rounds);
    }
    List<String> modes =
        List.of("cold-plan", "cold-floor-parallel", "cold-floor", "cold-floor-kept");
    double[] plan = new double[rounds];
    double[] parallelFloor = new double[rounds];
    double[] floor = new double[rounds];
    double[] keptFloor = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      // Each round starts with a different child, so none always runs first.
      for (int i = 0; i < modes.size(); i++) {
        String mode = modes.get((i + r) % modes.size());
        double millis = coldChild(mode, size);
        switch (mode) {
          case "cold-plan" -> plan[r] = millis;
          case "cold-floor-parallel" -> parallelFloor[r] = millis;
          case "cold-floor-kept" -> keptFloor[r] = millis;
          default -> floor[r] = millis;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "round %d: cold parse+plan of %d StatefulSets %.0f ms; cold floor (Jackson typed parse)"
              + " on the same threads %.0f ms, ratio %.2fx; on one thread %.0f ms, ratio %.2fx;"
              + " on the same threads keeping what it parsed %.0f ms, ratio %.2fx%n",
          r + 1,
          size,
          plan[r],
          parallelFloor[r],
          plan[r] / parallelFloor[r],
          floor[r],
          plan[r] / floor[r],
          keptFloor[r],
          plan[r] / keptFloor[r]);
    }
    Arrays.sort(plan);
    Arrays.sort(parallelFloor);
    Arrays.sort(floor);
    Arrays.sort(keptFloor);
    double median = plan[rounds / 2];
    System.out.printf(
        Locale.ROOT,
        "cold parse+plan of %,d StatefulSets, fresh JVM each: median %.0f ms; cold floor (Jackson"
            + " typed parse of the same documents, fresh JVM) on the same threads: median %.0f ms,"
            + " ratio %.2fx; on one thread: median %.0f ms, ratio %.2fx; on the same threads keeping"
            + " what it parsed: median %.0f ms, ratio %.2fx (%d rounds)%n",
        size,
        median,
        parallelFloor[rounds / 2],
        median / parallelFloor[rounds / 2],
        floor[rounds / 2],
        median / floor[rounds / 2],
        keptFloor[rounds / 2],
        median / keptFloor[rounds / 2],
        rounds);
  }

  private static final String COLD_RESULT = "cold-result";

  /**
   * The child's figures: what it handled, its wall time, the CPU it spent in the window by thread
   * group (and in all, which also counts threads that ended meanwhile), the classes it loaded, and
   * how long it waited for the JIT before its clock started.
   */
  private static void printColdResult(
      int handled, long nanos, Map<String, Double> cpuBefore, long classesBefore, String wait) {
    Map<String, Double> cpuAfter = ThreadCpu.byGroup();
    StringBuilder cpu = new StringBuilder();
    for (var e : cpuAfter.entrySet()) {
      double used = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0.0);
      cpu.append(String.format(Locale.ROOT, " %s=%.2f", e.getKey(), used));
    }
    cpu.append(
        " classes-loaded="
            + (ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount()
                - classesBefore));
    cpu.append(wait);
    System.out.printf(Locale.ROOT, "%s %d %.1f%s%n", COLD_RESULT, handled, nanos / 1e6, cpu);
  }

  /**
   * Runs one cold child, with this JVM's options but a flight recording, and returns the
   * milliseconds it measured. It prints the child's other figures. Every child would write its
   * recording to the same file, each over the one before; to profile a child, run its mode ({@code
   * cold-plan 10000}) on its own with the recording's options.
   */
  private static double coldChild(String mode, int size) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!option.startsWith("-XX:StartFlightRecording")) {
        command.add(option);
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            PipelineBench.class.getName(),
            mode,
            Integer.toString(size)));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (child.waitFor() != 0) {
      throw new IllegalStateException(mode + " failed:\n" + out);
    }
    for (String line : out.split("\n")) {
      if (line.startsWith(COLD_RESULT + " ")) {
        // cold-result <handled> <milliseconds> <the rest>
        String[] fields = line.split(" ", 4);
        if (Integer.parseInt(fields[1]) != size) {
          throw new IllegalStateException(mode + " handled " + fields[1] + " of " + size);
        }
        System.out.printf(
            Locale.ROOT,
            "  %s CPU-s in the window by thread, classes loaded, JIT wait: %s%n",
            mode,
            fields.length == 4 ? fields[3] : "");
        return Double.parseDouble(fields[2]);
      }
    }
    throw new IllegalStateException(mode + " printed no result:\n" + out);
  }

  /**
   * Waits until the JIT has finished what the corpus generation queued, so the clock starts with
   * both cores free in both children alike: that work is neither's, and it read as 0.35 s of the
   * floor's time when left queued. The compiler threads' CPU is watched, not the JIT's reported
   * time, which moves only when a compilation ends and so hides a long one under way. Returns what
   * the child prints about the wait.
   */
  private static String awaitQuietJit() throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + 20_000_000_000L;
    int quiet = 0;
    double compiled = compilerCpu();
    while (quiet < 5 && System.nanoTime() < deadline) {
      Thread.sleep(100);
      double now = compilerCpu();
      quiet = now == compiled ? quiet + 1 : 0;
      compiled = now;
    }
    return String.format(
        Locale.ROOT,
        " jit-wait-ms=%d%s",
        (System.nanoTime() - start) / 1_000_000,
        quiet < 5 ? " jit-still-busy-after-20s" : "");
  }

  private static double compilerCpu() {
    Map<String, Double> cpu = ThreadCpu.byGroup();
    return cpu.getOrDefault("c1", 0.0) + cpu.getOrDefault("c2", 0.0);
  }

  private static void warm(int size) throws Exception {
    Corpus corpus = Corpus.generate(size);
    ManifestLoader loader = Loaders.forFixtures();
    // Warm until the JIT has gone quiet, the paths alternating as they will when measured. The
    // loader and planner run on both cores and the one-thread floor on one, so a compiler still
    // busy on the second core slowed the measured rounds alone: at 1,000, a fixed 5 s warm-up left
    // about 0.9
    // CPU-s of compiling inside one second of measured rounds, and the ratio read 1.8-2.0x.
    // The JIT's time counts finished compilations only, so one long compilation under way looks
    // quiet until it ends: several quiet rounds in a row are asked for.
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      throw new IllegalStateException("this JVM does not report its JIT's compilation time");
    }
    long warmStart = System.nanoTime();
    int quietRounds = 0;
    int warmRounds = 0;
    while (quietRounds < QUIET_ROUNDS && System.nanoTime() - warmStart < WARM_LIMIT_NANOS) {
      long compiledBefore = jit.getTotalCompilationTime();
      loader.clearCache();
      check(loadAndPlan(loader, corpus.tree("w" + warmRounds), corpus.live()), size);
      jacksonParse(corpus);
      jacksonParseParallel(corpus);
      warmRounds++;
      boolean quiet = jit.getTotalCompilationTime() - compiledBefore <= QUIET_COMPILE_MILLIS;
      quietRounds = quiet ? quietRounds + 1 : 0;
    }
    double warmSeconds = (System.nanoTime() - warmStart) / 1e9;
    // Rounds alternate with the floor's, so a load that comes and goes on a shared machine
    // weighs on both alike.
    long[] rounds = new long[MEASURED_ROUNDS];
    long[] floor = new long[MEASURED_ROUNDS];
    long[] parallelFloor = new long[MEASURED_ROUNDS];
    long compiledBeforeMeasure = jit.getTotalCompilationTime();
    for (int i = 0; i < rounds.length; i++) {
      loader.clearCache();
      // The tree (paths and blob ids) is what Git hands over; building it is not parsing.
      SourceTree tree = corpus.tree("m" + i);
      long t0 = System.nanoTime();
      Plan plan = loadAndPlan(loader, tree, corpus.live());
      rounds[i] = System.nanoTime() - t0;
      check(plan, size);
      long f0 = System.nanoTime();
      jacksonParse(corpus);
      floor[i] = System.nanoTime() - f0;
      long p0 = System.nanoTime();
      if (jacksonParseParallel(corpus) != size) {
        throw new IllegalStateException("the parallel floor lost documents");
      }
      parallelFloor[i] = System.nanoTime() - p0;
    }
    long compiledWhileMeasured = jit.getTotalCompilationTime() - compiledBeforeMeasure;
    Arrays.sort(rounds);
    double median = rounds[rounds.length / 2] / 1e9;
    Arrays.sort(floor);
    double floorMedian = floor[floor.length / 2] / 1e9;
    Arrays.sort(parallelFloor);
    double parallelFloorMedian = parallelFloor[parallelFloor.length / 2] / 1e9;
    System.out.printf(
        Locale.ROOT,
        "warm parse+plan %,6d StatefulSets: median %.0f ms = %,.0f StatefulSets/s (best %,.0f/s);"
            + " floor (Jackson typed parse, same JVM) on the same threads: median %.0f ms, ratio %.2fx;"
            + " on one thread: median %.0f ms, ratio %.2fx%n",
        size,
        median * 1e3,
        size / median,
        size / (rounds[0] / 1e9),
        parallelFloorMedian * 1e3,
        median / parallelFloorMedian,
        floorMedian * 1e3,
        median / floorMedian);
    System.out.printf(
        Locale.ROOT,
        "  warmed %d rounds in %.1f s (%s); JIT compiling during the %d measured rounds: %d ms%n",
        warmRounds,
        warmSeconds,
        quietRounds >= QUIET_ROUNDS
            ? "the JIT quiet for " + QUIET_ROUNDS + " rounds"
            : "stopped at the limit, the JIT still busy",
        MEASURED_ROUNDS,
        compiledWhileMeasured);
  }

  /**
   * The floor: every document of the corpus parsed by Jackson into the typed model, nothing else.
   */
  private static int jacksonParse(Corpus corpus) throws IOException {
    int parsed = 0;
    for (String yaml : corpus.files().values()) {
      if (parseTyped(yaml) != null) {
        parsed++;
      }
    }
    return parsed;
  }

  /**
   * The same floor on as many threads as Ordinal's loader and planner use: a parallel stream on the
   * common pool. Against the one-thread floor alone, Ordinal's figure gains its second core, which
   * the floor is not given: at 10,000 warm on two cores that read 1.03x, and 1.6-1.9x with both
   * sides on one thread ({@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=0}).
   */
  private static int jacksonParseParallel(Corpus corpus) {
    return (int) parsedInParallel(corpus).count();
  }

  /**
   * The parallel floor, keeping every object it parsed until its clock stops, as a plan keeps its
   * desired objects. The floors that drop each object at once leave their young collections next to
   * nothing to copy; a plan's collections copy the objects it holds. The gap between the two floors
   * is what holding them costs, which no plan can avoid.
   */
  private static List<StatefulSet> jacksonParseKept(Corpus corpus) {
    return parsedInParallel(corpus).toList();
  }

  private static Stream<StatefulSet> parsedInParallel(Corpus corpus) {
    return new ArrayList<>(corpus.files().values())
        .parallelStream()
            .map(
                yaml -> {
                  try {
                    return parseTyped(yaml);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })
            .filter(Objects::nonNull);
  }

  private static StatefulSet parseTyped(String yaml) throws IOException {
    return YAML.readValue(yaml.getBytes(StandardCharsets.UTF_8), StatefulSet.class);
  }

  /** No-change polls and a one-file change, from a real Git repository of 10,000 manifests. */
  private static void polls() throws Exception {
    int size = 10_000;
    Corpus corpus = Corpus.generate(size);
    Path dir = Files.createTempDirectory("ordinal-bench");
    try (TestRemote remote = TestRemote.create(dir.resolve("remote.git"));
        GitRepoCache cache = new GitRepoCache(dir.resolve("cache"))) {
      Map<String, String> files = new LinkedHashMap<>(corpus.files());
      remote.commit("main", files);
      GitSource source = GitSource.open(cache, GitSourceConfig.of(remote.fileUrl(), "main", "."));
      ManifestLoader loader = Loaders.forFixtures();
      PlanMemo memo = new PlanMemo();
      PollResult first = source.poll();
      check(loadAndPlan(loader, ((PollResult.Changed) first).tree(), corpus.live(), memo), size);

      long[] noChange = new long[200];
      long parsedBefore = loader.blobsParsed();
      long fetchesBefore = source.fetchCount();
      for (int i = 0; i < noChange.length; i++) {
        long t0 = System.nanoTime();
        PollResult result = source.poll();
        noChange[i] = System.nanoTime() - t0;
        if (!(result instanceof PollResult.Unchanged)) {
          throw new IllegalStateException("expected no change, got " + result);
        }
      }
      Arrays.sort(noChange);
      System.out.printf(
          Locale.ROOT,
          "no-change poll x%d: %d fetches, %d blobs parsed, median %.2f ms, p99 %.2f ms%n",
          noChange.length,
          source.fetchCount() - fetchesBefore,
          loader.blobsParsed() - parsedBefore,
          noChange[noChange.length / 2] / 1e6,
          noChange[noChange.length * 99 / 100] / 1e6);

      long[] change = new long[20];
      long[] floor = new long[change.length];
      // Where a change's time goes: fetch and tree listing, load, and the rest (plan).
      long[] pollPart = new long[change.length];
      long[] loadPart = new long[change.length];
      long parsed = 0;
      Git plain =
          Git.cloneRepository()
              .setURI(remote.fileUrl())
              .setDirectory(dir.resolve("plain.git").toFile())
              .setBare(true)
              .call();
      for (int i = 0; i < change.length; i++) {
        String path = "sts-" + (i * 37 % size) + ".yaml";
        files.put(
            path, files.get(path).replace("image: postgres:16.", "image: postgres:17." + i + "-"));
        remote.commit("main", files);
        long before = loader.blobsParsed();
        long t0 = System.nanoTime();
        PollResult result = source.poll();
        long t1 = System.nanoTime();
        DesiredState state = load(loader, ((PollResult.Changed) result).tree());
        long t2 = System.nanoTime();
        Plan plan = plan(state, corpus.live(), memo);
        change[i] = System.nanoTime() - t0;
        pollPart[i] = t1 - t0;
        loadPart[i] = t2 - t1;
        parsed += loader.blobsParsed() - before;
        if (!plan.hasChanges()) {
          throw new IllegalStateException("the change did not show in the plan");
        }
        floor[i] = plainFetchReadParse(plain, path);
      }
      plain.close();
      Arrays.sort(change);
      Arrays.sort(floor);
      System.out.printf(
          Locale.ROOT,
          "one-file change in %,d manifests, fetch to plan ready x%d: median %.0f ms, max %.0f ms, %.1f blobs parsed and %.1f objects planned per change;"
              + " floor (plain JGit fetch, read of the changed file, Jackson parse): median %.0f ms; ratio %.2fx%n",
          size,
          change.length,
          change[change.length / 2] / 1e6,
          change[change.length - 1] / 1e6,
          (double) parsed / change.length,
          (double) (memo.misses() - size) / change.length,
          floor[floor.length / 2] / 1e6,
          (double) change[change.length / 2] / floor[floor.length / 2]);
      Arrays.sort(pollPart);
      Arrays.sort(loadPart);
      System.out.printf(
          Locale.ROOT,
          "  of which: fetch and tree listing median %.0f ms, load median %.0f ms, the rest plans%n",
          pollPart[pollPart.length / 2] / 1e6,
          loadPart[loadPart.length / 2] / 1e6);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * The floor of a one-file change, on the same commit: JGit alone fetches into a bare clone of its
   * own, reads the one file that changed, and Jackson parses it. It knows which file changed, which
   * Ordinal has to find out.
   */
  private static long plainFetchReadParse(Git git, String path) throws Exception {
    Repository repo = git.getRepository();
    long t0 = System.nanoTime();
    git.fetch().setRefSpecs("+refs/heads/main:refs/heads/main").call();
    ObjectId head = repo.resolve("refs/heads/main^{tree}");
    try (TreeWalk walk = TreeWalk.forPath(repo, path, head)) {
      YAML.readValue(repo.open(walk.getObjectId(0)).getBytes(), StatefulSet.class);
    }
    return System.nanoTime() - t0;
  }

  private static Plan loadAndPlan(ManifestLoader loader, SourceTree tree, List<HasMetadata> live) {
    return loadAndPlan(loader, tree, live, null);
  }

  private static Plan loadAndPlan(
      ManifestLoader loader, SourceTree tree, List<HasMetadata> live, PlanMemo memo) {
    return plan(load(loader, tree), live, memo);
  }

  private static DesiredState load(ManifestLoader loader, SourceTree tree) {
    LoadResult result = loader.load(tree);
    if (!(result instanceof LoadResult.Loaded loaded)) {
      throw new IllegalStateException("corpus did not load: " + result);
    }
    return loaded.state();
  }

  private static Plan plan(DesiredState state, List<HasMetadata> live, PlanMemo memo) {
    List<HasMetadata> desired = new ArrayList<>(state.objects().size());
    for (ManifestObject o : state.objects()) {
      desired.add(o.resource());
    }
    return Planner.plan(desired, live, OPTIONS, memo);
  }

  private static void check(Plan plan, int size) {
    Plan.Counts counts = plan.counts();
    if (counts.unchanged() + counts.update() != size || counts.update() < size / 2) {
      throw new IllegalStateException("unexpected plan " + counts);
    }
  }

  /**
   * N StatefulSet manifests (every other one with a changed image) and their defaulted live twins.
   */
  private static final String NAME_SLOT = "name-slot-of-the-live-template";

  private record Corpus(Map<String, String> files, List<HasMetadata> live) {
    static Corpus generate(int size) throws IOException {
      String desired = resource("/dev/ordinal/plan/desired-statefulset.yaml");
      String live = resource("/dev/ordinal/plan/live-statefulset.yaml");
      Map<String, String> files = new LinkedHashMap<>();
      List<HasMetadata> liveObjects = new ArrayList<>(size);
      // Live objects are read from JSON, as the daemon's informers read them from the API server,
      // so what this warms before a cold clock starts is what a daemon has warmed by then.
      StatefulSet liveTemplate = YAML.readValue(live, StatefulSet.class);
      liveTemplate.getMetadata().setName(NAME_SLOT);
      String liveJson = JSON.writeValueAsString(liveTemplate);
      for (int i = 0; i < size; i++) {
        String name = "db-" + i;
        String yaml = desired.replace("name: db\n  labels", "name: " + name + "\n  labels");
        if (i % 2 == 1) {
          yaml = yaml.replace("image: postgres:16.4", "image: postgres:16.5");
        }
        files.put("sts-" + i + ".yaml", yaml);
        liveObjects.add(JSON.readValue(liveJson.replace(NAME_SLOT, name), StatefulSet.class));
      }
      return new Corpus(files, liveObjects);
    }

    SourceTree tree(String revision) {
      Map<String, byte[]> content = new HashMap<>();
      List<SourceEntry> entries = new ArrayList<>();
      for (var e : files.entrySet()) {
        byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
        SourceEntry entry = new SourceEntry(e.getKey(), LocalDirectory.gitBlobId(bytes));
        entries.add(entry);
        content.put(entry.path(), bytes);
      }
      return new SourceTree(revision, entries, entry -> content.get(entry.path()));
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PipelineBench.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
