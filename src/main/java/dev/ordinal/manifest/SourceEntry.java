package dev.ordinal.manifest;

/**
 * One file of a source tree: its path relative to the repository root (always '/'-separated, never
 * escaping the root) and an id that changes whenever its content does (Git's blob id for a
 * repository, a content hash for a plain directory). The loader caches parsed documents by this id.
 */
public record SourceEntry(String path, String blobId) {}
