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

/** What the benches on the real control plane share: namespaces, settling, memory figures. */
final class BenchSupport {
  private BenchSupport() {}

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
   * soon as one has not: read a page of 500 at a time, so that the bench's own reads do not hold
   * thousands of objects in the heap it measures.
   */
  private static int observed(KubernetesClient client, String ns) {
    int observed = 0;
    String next = null;
    do {
      StatefulSetList page =
          client
              .apps()
              .statefulSets()
              .inNamespace(ns)
              .list(new ListOptionsBuilder().withLimit(500L).withContinue(next).build());
      for (StatefulSet s : page.getItems()) {
        if (s.getStatus() == null
            || !s.getMetadata().getGeneration().equals(s.getStatus().getObservedGeneration())) {
          return -1;
        }
        observed++;
      }
      next = page.getMetadata().getContinue();
    } while (next != null && !next.isEmpty());
    return observed;
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
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
