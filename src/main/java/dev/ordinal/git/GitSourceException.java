package dev.ordinal.git;

import dev.ordinal.manifest.Escapes;

/**
 * A Git source could not be read as asked: a refused app path, an escaping symlink, an oversized
 * file, a missing ref or an unreachable remote. Messages name the offending file or ref first and
 * say what to do, e.g. {@code apps/db/big.yaml: 2097152 bytes exceeds the 1048576-byte limit; ...}.
 * Messages never contain credentials. They carry refs, paths and URLs as given and Git's or a
 * server's own words, so control characters are written out here, line by line (a message may list
 * one problem per line), for every caller.
 */
public final class GitSourceException extends Exception {
  public GitSourceException(String message) {
    super(Escapes.controlsPerLine(message));
  }

  public GitSourceException(String message, Throwable cause) {
    super(Escapes.controlsPerLine(message), cause);
  }
}
