package dev.ordinal.manifest;

import java.io.IOException;

/** Reads the content of a {@link SourceEntry}; only called for blobs the loader has not seen. */
@FunctionalInterface
public interface BlobReader {
  byte[] read(SourceEntry entry) throws IOException;
}
