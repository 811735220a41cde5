package dev.ordinal.manifest;

import java.util.List;

/**
 * The manifest files under an app's path at one revision, listed with their blob ids so that a
 * loader re-parses only what changed. Content is read lazily through {@code reader}.
 *
 * @param revision the commit id (or a label such as "local" for a plain directory)
 * @param entries files under the tracked path whose names end in .yaml, .yml or .json
 */
public record SourceTree(String revision, List<SourceEntry> entries, BlobReader reader) {
  public SourceTree {
    entries = List.copyOf(entries);
  }
}
