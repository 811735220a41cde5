package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import com.sun.management.OperatingSystemMXBean;
import dev.ordinal.testkit.Loaders;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Prints what {@code ordinal validate} costs; not a test, and it asserts nothing about time. Run
 * from the worktree after {@code mvn test-compile}:
 *
 * <pre>
 * mvn -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -Xmx2g -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.ordinal.manifest.ValidateBench
 * # only the valid workload, at the sizes given (default: all four):
 * java ... dev.ordinal.manifest.ValidateBench valid 10000
 * </pre>
 *
 * Two workloads, each beside its floor, a bare Jackson parse of the same bytes measured in the same
 * run, and validate measured as {@code ordinal validate} runs it ({@link
 * ManifestLoader#checkOnly}): N invalid documents in one file (every one with an unknown field and
 * a negative replica count, so every one needs its field lines), and N valid StatefulSets, one file
 * each (as LoaderBench, also beside parse-and-bind, what the loader did before this validation).
 * Sizes double so that growth can be read off: linear means the time per document stays flat, and
 * the last line of each workload says how flat.
 */
public final class ValidateBench {

  private static final ObjectMapper BARE = new ObjectMapper(new YAMLFactory());

  private ValidateBench() {}

  public static void main(String[] args) {
    System.out.printf(
        "cores: %d, max heap: %d MiB, load average: %s%n",
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        loadAverage());
    boolean validOnly = args.length > 0 && args[0].equals("valid");
    int[] validSizes =
        validOnly && args.length > 1
            ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {1_250, 2_500, 5_000, 10_000};
    warmUp();
    if (!validOnly) {
      invalidWorkload();
    }
    validWorkload(validSizes);
  }

  private static void invalidWorkload() {
    System.out.println();
    System.out.println("invalid documents in one file (2 errors each):");
    Map<Integer, Double> perDocument = new TreeMap<>();
    for (int count : new int[] {1_250, 2_500, 5_000, 10_000}) {
      SourceTree tree = invalidFile(count);
      byte[] bytes = read(tree, tree.entries().get(0));
      Measure floor = measure(() -> bareParse(bytes), documents -> documents);
      Measure validate = measure(() -> validate(tree), ValidateBench::errorsOf);
      print(count, validate, floor, 2 * count);
      perDocument.put(count, validate.cpuMillis() / count);
    }
    printGrowth(perDocument);
  }

  private static void validWorkload(int[] sizes) {
    System.out.println();
    System.out.println("valid StatefulSets, one file each (files parsed in parallel):");
    Map<Integer, Double> perDocument = new TreeMap<>();
    for (int count : sizes) {
      SourceTree tree = validFiles(count);
      List<byte[]> blobs = new ArrayList<>();
      tree.entries().forEach(entry -> blobs.add(read(tree, entry)));
      Measure floor =
          measure(
              () -> blobs.parallelStream().mapToInt(ValidateBench::bareParse).sum(),
              documents -> documents);
      // Loading kept every object it bound (they are the desired state), so this does too: the
      // collector copying them is part of what loading cost.
      Measure bound =
          measure(
              () -> blobs.parallelStream().flatMap(blob -> parseAndBind(blob).stream()).toList(),
              List::size);
      Measure validate = measure(() -> validate(tree), ValidateBench::objectsOf);
      print(count, validate, floor, count);
      Measure daemon = measure(() -> Loaders.forFixtures().load(tree), ValidateBench::objectsOf);
      printBeside(
          "the daemon's load of the same tree, which binds every object whole",
          daemon,
          count,
          String.format(
              "%.2fx the floor (cpu %.2fx)",
              daemon.millis() / floor.millis(), daemon.cpuMillis() / floor.cpuMillis()));
      perDocument.put(count, validate.cpuMillis() / count);
      printBeside(
          "parse and bind to fabric8's StatefulSet, what loading did before these checks",
          bound,
          count,
          String.format(
              "validate is %.2fx that (cpu %.2fx: %.1f µs/doc against %.1f)",
              validate.millis() / bound.millis(),
              validate.cpuMillis() / bound.cpuMillis(),
              validate.cpuMillis() * 1e3 / count,
              bound.cpuMillis() * 1e3 / count));
    }
    printGrowth(perDocument);
  }

  /** A line under a workload's figures: another way of loading it, and how it compares. */
  private static void printBeside(String what, Measure measure, int count, String comparison) {
    System.out.printf(
        "          %s: %,.1f ms (%,.0f docs/s, cpu %,.1f ms, peak heap +%,d MiB, live +%,d MiB);"
            + " %s%n",
        what,
        measure.millis(),
        count / (measure.millis() / 1e3),
        measure.cpuMillis(),
        measure.peakBytes() >> 20,
        measure.liveBytes() >> 20,
        comparison);
  }

  /** Linear growth means the time per document stays flat as the count doubles. */
  private static void printGrowth(Map<Integer, Double> perDocument) {
    if (perDocument.size() < 2) {
      return;
    }
    int smallest = perDocument.keySet().stream().filter(n -> n >= 2_500).findFirst().orElseThrow();
    int largest = Collections.max(perDocument.keySet());
    System.out.printf(
        // CPU, not wall time: on a shared machine the wall time of one size can double while
        // another process runs, and growth is a property of the work.
        "  growth: %,d docs cost %.2fx cpu per document what %,d did%n",
        largest, perDocument.get(largest) / perDocument.get(smallest), smallest);
  }

  /**
   * Compiles the paths measured below, the floors' as much as validate's, so that neither side is
   * timed while the JIT is still at work: a first load in a process costs far more.
   */
  private static void warmUp() {
    SourceTree invalid = invalidFile(2_000);
    SourceTree valid = validFiles(2_000);
    long start = System.nanoTime();
    objectsOf(validate(valid));
    System.out.printf(
        "first load in the process (cold): 2,000 StatefulSets in %.0f ms%n",
        (System.nanoTime() - start) / 1e6);
    byte[] invalidBytes = read(invalid, invalid.entries().get(0));
    List<byte[]> validBlobs = new ArrayList<>();
    valid.entries().forEach(entry -> validBlobs.add(read(valid, entry)));
    for (int i = 0; i < 15; i++) {
      errorsOf(validate(invalid));
      objectsOf(validate(valid));
      objectsOf(Loaders.forFixtures().load(valid));
      bareParse(invalidBytes);
      validBlobs.forEach(ValidateBench::bareParse);
      validBlobs.forEach(ValidateBench::parseAndBind);
    }
  }

  /**
   * The median wall time and the median CPU time of the whole process (every thread: the parallel
   * stream's, the collector's) over several runs, the peak heap the runs reached, and the most heap
   * that was live (after a collection) during a run or held by its result. On a machine that other
   * work shares, wall time swings with what else runs; CPU time much less. The peak counts garbage
   * not yet collected, so it follows the young generation's size as much as the work; the live
   * figure is what the work held.
   */
  private record Measure(
      double millis, double cpuMillis, long peakBytes, long liveBytes, int result) {}

  private static final OperatingSystemMXBean OS =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private static <T> Measure measure(Supplier<T> run, ToIntFunction<T> count) {
    int iterations = 7;
    long[] times = new long[iterations];
    long[] cpuTimes = new long[iterations];
    int result = 0;
    long peak = 0;
    long live = 0;
    for (int i = 0; i < iterations; i++) {
      System.gc();
      long baseline = heapUsed();
      AFTER_GC.startRun();
      resetPeaks();
      long cpuStart = OS.getProcessCpuTime();
      long start = System.nanoTime();
      T outcome = run.get();
      times[i] = System.nanoTime() - start;
      cpuTimes[i] = OS.getProcessCpuTime() - cpuStart;
      peak = Math.max(peak, heapPeak() - baseline);
      long liveDuringRun = AFTER_GC.endRun();
      System.gc();
      long held = heapUsed();
      result = count.applyAsInt(outcome);
      Reference.reachabilityFence(outcome);
      live = Math.max(live, Math.max(liveDuringRun, held) - baseline);
    }
    Arrays.sort(times);
    Arrays.sort(cpuTimes);
    return new Measure(
        times[iterations / 2] / 1e6, cpuTimes[iterations / 2] / 1e6, peak, live, result);
  }

  private static final AfterCollections AFTER_GC = new AfterCollections();

  /** The heap in use after each collection, as the collectors report it. */
  private static final class AfterCollections implements NotificationListener {
    private final Set<String> heapPools = new HashSet<>();
    private final AtomicLong received = new AtomicLong();
    private volatile long max;

    AfterCollections() {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heapPools.add(pool.getName());
        }
      }
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) collector).addNotificationListener(this, null, null);
      }
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
      if (notification
          .getType()
          .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
        GcInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                .getGcInfo();
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getMemoryUsageAfterGc().entrySet()) {
          if (heapPools.contains(pool.getKey())) {
            used += pool.getValue().getUsed();
          }
        }
        max = Math.max(max, used);
      }
      received.incrementAndGet();
    }

    void startRun() {
      awaitNotifications();
      max = 0;
    }

    /** The most heap in use after a collection since {@link #startRun}. */
    long endRun() {
      awaitNotifications();
      return max;
    }

    /** Notifications come on a thread of their own, a little after each collection. */
    private void awaitNotifications() {
      long collections = 0;
      for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
        collections += Math.max(0, collector.getCollectionCount());
      }
      long deadline = System.nanoTime() + 1_000_000_000L;
      while (received.get() < collections && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    }
  }

  private static void print(int count, Measure validate, Measure floor, int expected) {
    if (validate.result() != expected) {
      throw new IllegalStateException(
          "the bench tree gave " + validate.result() + " results, not " + expected);
    }
    System.out.printf(
        "  %,6d docs: validate %,8.1f ms (%,7.0f docs/s, %5.1f µs/doc, cpu %,8.1f ms, peak heap"
            + " +%,4d MiB, live +%,4d MiB) | floor, bare Jackson parse %,7.1f ms (%,7.0f docs/s,"
            + " cpu %,8.1f ms, peak +%,4d MiB, live +%,4d MiB) | %.2fx the floor (cpu %.2fx)%n",
        count,
        validate.millis(),
        count / (validate.millis() / 1e3),
        validate.millis() * 1e3 / count,
        validate.cpuMillis(),
        validate.peakBytes() >> 20,
        validate.liveBytes() >> 20,
        floor.millis(),
        count / (floor.millis() / 1e3),
        floor.cpuMillis(),
        floor.peakBytes() >> 20,
        floor.liveBytes() >> 20,
        validate.millis() / floor.millis(),
        validate.cpuMillis() / floor.cpuMillis());
  }

  /** What {@code ordinal validate} runs: a loader that keeps outlines of the objects it checked. */
  private static LoadResult validate(SourceTree tree) {
    return Loaders.forFixtures().checkOnly().load(tree);
  }

  private static int errorsOf(LoadResult result) {
    if (!(result instanceof LoadResult.Invalid invalid)) {
      throw new IllegalStateException("the invalid bench tree loaded");
    }
    return invalid.errors().size();
  }

  private static int objectsOf(LoadResult result) {
    if (result instanceof LoadResult.Invalid invalid) {
      throw new IllegalStateException(
          "the valid bench tree is invalid: " + invalid.errors().get(0));
    }
    return ((LoadResult.Loaded) result).state().objects().size();
  }

  private static int bareParse(byte[] bytes) {
    try (JsonParser parser = BARE.getFactory().createParser(bytes);
        MappingIterator<Object> documents = BARE.readValues(parser, Object.class)) {
      int count = 0;
      while (documents.hasNext()) {
        documents.next();
        count++;
      }
      return count;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<StatefulSet> parseAndBind(byte[] bytes) {
    try (JsonParser parser = BARE.getFactory().createParser(bytes)) {
      List<StatefulSet> bound = new ArrayList<>(1);
      while (parser.nextToken() != null) {
        bound.add(KubernetesObjects.MAPPER.treeToValue(BARE.readTree(parser), StatefulSet.class));
      }
      return bound;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One file of {@code count} StatefulSets, each with a typo and a negative replica count. */
  static SourceTree invalidFile(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      text.append("---\n")
          .append(
              LoaderBench.STATEFUL_SET
                  .formatted(i, i % 50, i % 10)
                  .replace("replicas: 3", "replicas: -3")
                  .replace("serviceName:", "servicName:"));
    }
    return tree(Map.of("apps/all.yaml", text.toString()));
  }

  /** {@code count} valid StatefulSets, one file each, each with its own content. */
  static SourceTree validFiles(int count) {
    return LoaderBench.tree(count);
  }

  private static SourceTree tree(Map<String, String> files) {
    List<SourceEntry> entries = new ArrayList<>();
    Map<String, byte[]> blobs = new HashMap<>();
    files.forEach(
        (path, text) -> {
          byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
          String id = LocalDirectory.gitBlobId(bytes);
          entries.add(new SourceEntry(path, id));
          blobs.put(id, bytes);
        });
    return new SourceTree("bench", entries, entry -> blobs.get(entry.blobId()));
  }

  private static byte[] read(SourceTree tree, SourceEntry entry) {
    try {
      return tree.reader().read(entry);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long heapUsed() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        used += pool.getUsage().getUsed();
      }
    }
    return used;
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  /**
   * The sum of each heap pool's peak since the last reset: an upper bound of the peak heap, as
   * pools peak at different moments.
   */
  private static long heapPeak() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
