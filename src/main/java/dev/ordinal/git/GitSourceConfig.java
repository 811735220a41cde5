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
 */
public record GitSourceConfig(
    String url,
    String ref,
    String path,
    GitCredentials credentials,
    long maxFileBytes,
    Duration fetchTimeout) {

  public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(30);

  public GitSourceConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(fetchTimeout, "fetchTimeout");
    if (maxFileBytes <= 0) {
      throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
    }
  }

  /** Anonymous access with the default size limit and timeout. */
  public static GitSourceConfig of(String url, String ref, String path) {
    return new GitSourceConfig(
        url, ref, path, GitCredentials.none(), DEFAULT_MAX_FILE_BYTES, DEFAULT_FETCH_TIMEOUT);
  }

  public GitSourceConfig withCredentials(GitCredentials newCredentials) {
    return new GitSourceConfig(url, ref, path, newCredentials, maxFileBytes, fetchTimeout);
  }

  public GitSourceConfig withMaxFileBytes(long newMaxFileBytes) {
    return new GitSourceConfig(url, ref, path, credentials, newMaxFileBytes, fetchTimeout);
  }

  public GitSourceConfig withFetchTimeout(Duration newFetchTimeout) {
    return new GitSourceConfig(url, ref, path, credentials, maxFileBytes, newFetchTimeout);
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
        + "]";
  }
}
