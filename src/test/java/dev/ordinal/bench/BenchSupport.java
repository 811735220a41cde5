package dev.ordinal.bench;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetList;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Predicate;

/** What the benches on the real control plane share: namespaces, settling, memory figures. */
final class BenchSupport {
  private BenchSupport() {}

  /**
   * The machine's cores and load average, printed at a bench's start and end: on a shared machine a
   * figure means little without them.
   */
  static void printLoad(String when) {
    System.out.printf(
        Locale.ROOT,
        "cores=%d load average (1 min) %s: %.2f%n",
        Runtime.getRuntime().availableProcessors(),
        when,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /**
   * Writes the config of a daemon with one app, {@code app}, that applies {@code repoUrl}'s main
   * branch to {@code ns} and polls every {@code poll}, with its data under {@code dir}; its path.
   */
  static Path daemonConfig(Path dir, String ns, String app, String repoUrl, String poll)
      throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        """
        dataDir: %s
        listen: 127.0.0.1:0
        pollInterval: %s
        ordinalNamespace: %s
        apps: [{name: %s, repo: "%s", revision: main, namespace: %s}]
        """
            .formatted(dir.resolve("data"), poll, ns, app, repoUrl, ns));
    return file;
  }

  static String namespace(KubernetesClient client, String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /**
   * Waits until the StatefulSet controller has observed every object in {@code ns}, so what is
   * counted next is the bench's subject, not the controller finishing earlier work.
   */
  static void settle(KubernetesClient client, String ns, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 900_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (observed(client, ns) == n) {
        Thread.sleep(2000); // and its last status writes have landed
        return;
      }
      Thread.sleep(1000);
    }
    // A figure taken before the controller caught up would measure its backlog, not Ordinal.
    throw new IllegalStateException(
        "the StatefulSet controller did not observe "
            + n
            + " StatefulSets in "
            + ns
            + " in 15 min");
  }

  /**
   * How many StatefulSets in {@code ns} the controller has observed at their generation, or -1 as
   * soon as one has not.
   */
  private static int observed(KubernetesClient client, String ns) {
    int[] observed = {0};
    boolean all =
        eachPage(
            client,
            ns,
            page -> {
              for (StatefulSet s : page.getItems()) {
                if (s.getStatus() == null
                    || !s.getMetadata()
                        .getGeneration()
                        .equals(s.getStatus().getObservedGeneration())) {
                  return false;
                }
                observed[0]++;
              }
              return true;
            });
    return all ? observed[0] : -1;
  }

  /** How many StatefulSets exist in {@code ns}. */
  static int present(KubernetesClient client, String ns) {
    int[] present = {0};
    eachPage(
        client,
        ns,
        page -> {
          present[0] += page.getItems().size();
          return true;
        });
    return present[0];
  }

  /**
   * Reads the StatefulSets of {@code ns} a page of 500 at a time, so that the bench's own reads do
   * not hold thousands of objects in the heap it measures, until {@code more} says stop; whether
   * every page was read.
   */
  private static boolean eachPage(
      KubernetesClient client, String ns, Predicate<StatefulSetList> more) {
    String next = null;
    do {
      StatefulSetList page =
          client
              .apps()
              .statefulSets()
              .inNamespace(ns)
              .list(new ListOptionsBuilder().withLimit(500L).withContinue(next).build());
      if (!more.test(page)) {
        return false;
      }
      next = page.getMetadata().getContinue();
    } while (next != null && !next.isEmpty());
    return true;
  }

  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** VmRSS of this process, from /proc (Linux). */
  static long rssKb() throws IOException {
    return rssKb(ProcessHandle.current().pid());
  }

  /** VmRSS of process {@code pid}, from /proc (Linux). */
  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
