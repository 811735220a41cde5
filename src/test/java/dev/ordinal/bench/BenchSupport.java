package dev.ordinal.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
      List<StatefulSet> items = client.apps().statefulSets().inNamespace(ns).list().getItems();
      boolean observed =
          items.size() == n
              && items.stream()
                  .allMatch(
                      s ->
                          s.getStatus() != null
                              && s.getMetadata()
                                  .getGeneration()
                                  .equals(s.getStatus().getObservedGeneration()));
      if (observed) {
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
