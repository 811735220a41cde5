package dev.ordinal.manifest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds source trees from strings, with Git blob ids, and counts blob reads. */
final class InMemoryTree {
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  final AtomicInteger reads = new AtomicInteger();

  InMemoryTree put(String path, String content) {
    files.put(path, content.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  InMemoryTree remove(String path) {
    files.remove(path);
    return this;
  }

  SourceTree tree(String revision) {
    List<SourceEntry> entries = new ArrayList<>();
    Map<String, byte[]> byBlob = new LinkedHashMap<>();
    files.forEach(
        (path, bytes) -> {
          String id = LocalDirectory.gitBlobId(bytes);
          entries.add(new SourceEntry(path, id));
          byBlob.put(id, bytes);
        });
    return new SourceTree(
        revision,
        entries,
        entry -> {
          reads.incrementAndGet();
          return byBlob.get(entry.blobId()).clone();
        });
  }
}
