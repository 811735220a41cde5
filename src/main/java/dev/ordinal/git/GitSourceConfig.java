package dev.ordinal.git;

import java.time.Duration;
import java.util.Objects;

/**
 * What one app tracks and how.
 *
 * @param url repository URL (https, ssh, scp-like {@code git@host:o/r}, or file)
 * @param ref branch, tag, full ref name ({@code refs/...}) or full/abbreviated commit id
 * @param path directory inside the repository ("" or "." for the root); never absolute, no ".."
 * @param maxFileBytes manifest files larger than this are refused
 * @param fetchTimeout network timeout for one fetch
 * @param maxFetchBytes one fetch (ref advertisement and pack, over https or ssh) may read at most
 *     this many bytes from the remote; past it the fetch fails and nothing of it is kept
 */
public record GitSourceConfig(
    String url,
    String ref,
    String path,
    GitCredentials credentials,
    long maxFileBytes,
    Duration fetchTimeout,
    long maxFetchBytes) {

  public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(30);

  /** 256 MiB: far above a config repository, far below the 1 Gi cache volume. */
  public static final long DEFAULT_MAX_FETCH_BYTES = 256L * 1024 * 1024;

  public GitSourceConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(fetchTimeout, "fetchTimeout");
    if (maxFileBytes <= 0) {
      throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
    }
    if (maxFetchBytes <= 0) {
      throw new IllegalArgumentException("maxFetchBytes must be positive: " + maxFetchBytes);
    }
  }

  /** Anonymous access with the default size limit and timeout. */
  public static GitSourceConfig of(String url, String ref, String path) {
    return new GitSourceConfig(
        url,
        ref,
        path,
        GitCredentials.none(),
        DEFAULT_MAX_FILE_BYTES,
        DEFAULT_FETCH_TIMEOUT,
        DEFAULT_MAX_FETCH_BYTES);
  }

  public GitSourceConfig withCredentials(GitCredentials newCredentials) {
    return new GitSourceConfig(
        url, ref, path, newCredentials, maxFileBytes, fetchTimeout, maxFetchBytes);
  }

  public GitSourceConfig withMaxFileBytes(long newMaxFileBytes) {
    return new GitSourceConfig(
        url, ref, path, credentials, newMaxFileBytes, fetchTimeout, maxFetchBytes);
  }

  public GitSourceConfig withFetchTimeout(Duration newFetchTimeout) {
    return new GitSourceConfig(
        url, ref, path, credentials, maxFileBytes, newFetchTimeout, maxFetchBytes);
  }

  public GitSourceConfig withMaxFetchBytes(long newMaxFetchBytes) {
    return new GitSourceConfig(
        url, ref, path, credentials, maxFileBytes, fetchTimeout, newMaxFetchBytes);
  }

  @Override
  public String toString() {
    // The URL may carry user-info; credentials redact themselves.
    return "GitSourceConfig[url="
        + RepoUrl.redact(url)
        + ", ref="
        + ref
        + ", path="
        + path
        + ", credentials="
        + credentials
        + ", maxFileBytes="
        + maxFileBytes
        + ", fetchTimeout="
        + fetchTimeout
        + ", maxFetchBytes="
        + maxFetchBytes
        + "]";
  }
}
