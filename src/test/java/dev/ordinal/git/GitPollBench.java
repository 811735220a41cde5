package dev.ordinal.git;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Benchmark harness, not a test: measures what a poll costs on a repository of 10,000 StatefulSet
 * manifests, over file:// and over smart HTTP (JGit's GitServlet in Jetty on loopback).
 *
 * <p>Run:
 *
 * <pre>
 * mvn -B -q -Dordinal.buildDir=target-git test-compile dependency:build-classpath -Dmdep.outputFile=target-git/cp.txt
 * java -cp target-git/test-classes:target-git/classes:$(cat target-git/cp.txt) dev.ordinal.git.GitPollBench [files] [polls]
 * </pre>
 */
public final class GitPollBench {
  public static void main(String[] args) throws Exception {
    int files = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int polls = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    Path tmp = Files.createTempDirectory("ordinal-bench");
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"))) {
      Map<String, String> tree = new LinkedHashMap<>();
      for (int i = 0; i < files; i++) {
        tree.put(String.format("apps/fleet/sts-%05d.yaml", i), statefulSet(i, 1));
      }
      long t0 = System.nanoTime();
      remote.commit("main", tree);
      System.out.printf("built repository with %d files in %d ms%n", files, ms(t0));

      benchTransport("file", remote.fileUrl(), remote, tree, tmp, polls);
      try (GitHttpServer http = GitHttpServer.start(remote.repo)) {
        benchTransport("http", http.url(), remote, tree, tmp, polls);
      }
    } finally {
      deleteRecursively(tmp);
    }
  }

  private static void benchTransport(
      String label, String url, TestRemote remote, Map<String, String> tree, Path tmp, int polls)
      throws Exception {
    System.out.printf("%n== %s (%s)%n", label, url);
    try (GitRepoCache cache = new GitRepoCache(tmp.resolve("data-" + label));
        GitSource source =
            GitSource.open(
                cache, GitSourceConfig.of(url, "main", "apps/fleet"), Clock.systemUTC())) {
      long t0 = System.nanoTime();
      PollResult first = source.poll();
      if (!(first instanceof PollResult.Changed changed)) {
        throw new IllegalStateException("first poll: " + first);
      }
      System.out.printf(
          "first poll (clone + list %d entries): %d ms%n", changed.tree().entries().size(), ms(t0));

      for (int i = 0; i < 20; i++) {
        source.poll(); // warm-up
      }
      long fetchesBefore = source.fetchCount();
      long listingsBefore = source.treeListingCount();
      List<Double> times = new ArrayList<>();
      for (int i = 0; i < polls; i++) {
        long s = System.nanoTime();
        PollResult result = source.poll();
        times.add((System.nanoTime() - s) / 1e6);
        if (!(result instanceof PollResult.Unchanged)) {
          throw new IllegalStateException("expected Unchanged, got " + result);
        }
      }
      System.out.printf(
          "no-change poll  x%d: fetches=%d tree listings=%d  median=%.2f ms  p99=%.2f ms%n",
          polls,
          source.fetchCount() - fetchesBefore,
          source.treeListingCount() - listingsBefore,
          percentile(times, 50),
          percentile(times, 99));

      try (Git plain =
          Git.cloneRepository()
              .setURI(url)
              .setBare(true)
              .setDirectory(tmp.resolve("plain-" + label + ".git").toFile())
              .call()) {
        for (int i = 0; i < 20; i++) {
          plain.fetch().call();
        }
        List<Double> plainTimes = new ArrayList<>();
        for (int i = 0; i < polls; i++) {
          long s = System.nanoTime();
          plain.fetch().call();
          plainTimes.add((System.nanoTime() - s) / 1e6);
        }
        System.out.printf(
            "plain JGit no-op fetch() x%d:                 median=%.2f ms  p99=%.2f ms%n",
            polls, percentile(plainTimes, 50), percentile(plainTimes, 99));
      }

      List<Double> changeTimes = new ArrayList<>();
      int rounds = 20;
      for (int round = 0; round < rounds; round++) {
        String path = String.format("apps/fleet/sts-%05d.yaml", round);
        tree.put(path, statefulSet(round, round + 2));
        ObjectId commit = remote.commit("main", tree);
        long s = System.nanoTime();
        PollResult result = source.poll();
        changeTimes.add((System.nanoTime() - s) / 1e6);
        if (!(result instanceof PollResult.Changed c) || !c.commitId().equals(commit.name())) {
          throw new IllegalStateException(
              "expected Changed to " + commit.name() + ", got " + result);
        }
      }
      System.out.printf(
          "one-file change x%d (fetch + listing of %d entries ready): median=%.2f ms  p99=%.2f"
              + " ms%n",
          rounds, tree.size(), percentile(changeTimes, 50), percentile(changeTimes, 99));

      // Where the time goes: the listing alone, cold (every size looked up) and warm.
      org.eclipse.jgit.lib.Repository repo = cache.open(url).repository();
      TreeLister lister = new TreeLister(GitSourceConfig.DEFAULT_MAX_FILE_BYTES);
      List<Double> cold = new ArrayList<>();
      List<Double> warm = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        try (org.eclipse.jgit.lib.ObjectReader reader = repo.newObjectReader();
            org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(reader)) {
          org.eclipse.jgit.revwalk.RevTree root =
              walk.parseCommit(repo.resolve("refs/heads/main")).getTree();
          TreeLister fresh = new TreeLister(GitSourceConfig.DEFAULT_MAX_FILE_BYTES);
          long s = System.nanoTime();
          fresh.list(reader, root, "apps/fleet", "bench");
          cold.add((System.nanoTime() - s) / 1e6);
          lister.list(reader, root, "apps/fleet", "bench");
          s = System.nanoTime();
          lister.list(reader, root, "apps/fleet", "bench");
          warm.add((System.nanoTime() - s) / 1e6);
        }
      }
      System.out.printf(
          "listing only, %d entries: cold (all sizes read) median=%.2f ms, warm median=%.2f ms%n",
          tree.size(), percentile(cold, 50), percentile(warm, 50));
    }
  }

  private static String statefulSet(int i, int replicas) {
    String name = String.format("db-%05d", i);
    return String.format(
        Locale.ROOT,
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: %s
        spec:
          replicas: %d
          serviceName: %s
          selector:
            matchLabels: {app: %s}
          template:
            metadata:
              labels: {app: %s}
            spec:
              containers:
                - name: db
                  image: postgres:16
        """,
        name,
        replicas,
        name,
        name,
        name);
  }

  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static void deleteRecursively(Path root) throws Exception {
    try (var walk = Files.walk(root)) {
      walk.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
