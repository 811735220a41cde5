package dev.ordinal.manifest;

import dev.ordinal.testkit.Loaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints loader throughput; not a test. Run from the worktree after {@code mvn test-compile}:
 *
 * <pre>
 * B=target-manifest
 * mvn -q -Dordinal.buildDir=$B dependency:build-classpath -Dmdep.outputFile=$B/cp.txt
 * CP=$B/classes:$B/test-classes:$(cat $B/cp.txt)
 * # the first load in the process, then warm loads of 1,000 and 10,000:
 * java -cp $CP dev.ordinal.manifest.LoaderBench
 * # one load of 10,000 from a cold process:
 * java -cp $CP dev.ordinal.manifest.LoaderBench cold 10000
 * </pre>
 *
 * Each StatefulSet is one file, so every document is a separate blob, as in a repository with one
 * file per object. The cache is cleared before every measured load.
 */
public final class LoaderBench {

  /** One StatefulSet, formatted with its number, a team and a minor version. */
  static final String STATEFUL_SET =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db-%1$d
        namespace: team-%2$d
        labels:
          app: db-%1$d
          tier: database
      spec:
        serviceName: db-%1$d
        replicas: 3
        selector:
          matchLabels:
            app: db-%1$d
        template:
          metadata:
            labels:
              app: db-%1$d
          spec:
            containers:
              - name: postgres
                image: postgres:16.%3$d
                env:
                  - name: POSTGRES_DB
                    value: app
                  - name: PGDATA
                    value: /var/lib/postgresql/data/pgdata
                ports:
                  - containerPort: 5432
                    name: pg
                resources:
                  requests: {cpu: 500m, memory: 1Gi}
                  limits: {cpu: "2", memory: 4Gi}
                volumeMounts:
                  - name: data
                    mountPath: /var/lib/postgresql/data
        volumeClaimTemplates:
          - metadata:
              name: data
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests:
                  storage: 20Gi
      """;

  private LoaderBench() {}

  public static void main(String[] args) {
    if (args.length == 2 && args[0].equals("cold")) {
      int count = Integer.parseInt(args[1]);
      SourceTree tree = tree(count);
      long start = System.nanoTime();
      LoadResult result = Loaders.forFixtures().load(tree);
      report("cold process, first load", count, System.nanoTime() - start, result);
      return;
    }
    System.out.printf(
        "cores available: %d, max heap: %d MiB%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

    SourceTree small = tree(1_000);
    SourceTree large = tree(10_000);
    ManifestLoader loader = Loaders.forFixtures();

    long start = System.nanoTime();
    LoadResult first = loader.load(small);
    report("first load in process (cold)", 1_000, System.nanoTime() - start, first);

    for (SourceTree tree : List.of(small, large)) {
      int count = tree.entries().size();
      // Warm up on ~40,000 documents so that the JIT has compiled the parsing path.
      for (int parsed = 0; parsed < 40_000; parsed += count) {
        loader.clearCache();
        requireLoaded(loader.load(tree));
      }
      int iterations = count >= 10_000 ? 10 : 40;
      long[] times = new long[iterations];
      for (int i = 0; i < iterations; i++) {
        loader.clearCache();
        start = System.nanoTime();
        LoadResult result = loader.load(tree);
        times[i] = System.nanoTime() - start;
        requireLoaded(result);
      }
      Arrays.sort(times);
      System.out.printf(
          "warm %,d docs: median %,.0f docs/s, best %,.0f docs/s, worst %,.0f docs/s"
              + " (%d iterations, load average %s)%n",
          count,
          count / (times[iterations / 2] / 1e9),
          count / (times[0] / 1e9),
          count / (times[iterations - 1] / 1e9),
          iterations,
          loadAverage());
    }

    start = System.nanoTime();
    loader.load(large);
    System.out.printf(
        "re-load of an unchanged 10,000-file tree (all cached): %.1f ms%n",
        (System.nanoTime() - start) / 1e6);
  }

  /** The 1-minute load average, to tell a slow run from a busy machine. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** One StatefulSet per file, each with its own name and content (and so its own blob id). */
  static SourceTree tree(int count) {
    List<SourceEntry> entries = new ArrayList<>(count);
    Map<String, byte[]> blobs = new HashMap<>();
    for (int i = 0; i < count; i++) {
      byte[] bytes = STATEFUL_SET.formatted(i, i % 50, i % 10).getBytes(StandardCharsets.UTF_8);
      String id = LocalDirectory.gitBlobId(bytes);
      entries.add(new SourceEntry(String.format("apps/db-%05d/statefulset.yaml", i), id));
      blobs.put(id, bytes);
    }
    return new SourceTree("bench", entries, entry -> blobs.get(entry.blobId()));
  }

  private static void report(String what, int count, long nanos, LoadResult result) {
    requireLoaded(result);
    System.out.printf(
        "%s: %,d docs in %.0f ms = %,.0f docs/s%n",
        what, count, nanos / 1e6, count / (nanos / 1e9));
  }

  private static void requireLoaded(LoadResult result) {
    if (result instanceof LoadResult.Invalid invalid) {
      throw new IllegalStateException("bench tree is invalid: " + invalid.errors().subList(0, 1));
    }
  }
}
