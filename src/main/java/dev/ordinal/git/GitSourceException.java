package dev.ordinal.git;

/**
 * A Git source could not be read as asked: a refused app path, an escaping symlink, an oversized
 * file, a missing ref or an unreachable remote. Messages name the offending file or ref first and
 * say what to do, e.g. {@code apps/db/big.yaml: 2097152 bytes exceeds the 1048576-byte limit; ...}.
 * Messages never contain credentials.
 */
public final class GitSourceException extends Exception {
  public GitSourceException(String message) {
    super(message);
  }

  public GitSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
