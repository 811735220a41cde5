package dev.ordinal.git;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Normalises Git repository URLs so that the many spellings of one repository compare equal: {@code
 * https://GitHub.com/o/r.git}, {@code git@github.com:o/r}, {@code ssh://git@github.com/o/r} and
 * {@code https://github.com/o/r/} all become {@code github.com/o/r}. Scheme, user-info and port are
 * dropped because the same repository is served on different ports per protocol.
 */
public final class RepoUrl {
  // scp-like syntax: [user@]host:path, where the host part has no slash (else it is a local path).
  private static final Pattern SCP_LIKE = Pattern.compile("^(?:[^@/]+@)?([^:/]+):(?!//)(.*)$");

  private RepoUrl() {}

  /**
   * Host (lower case) and path, without scheme, user-info, port, trailing slash or {@code .git}.
   * Local paths and {@code file://} URLs keep their path. Used to name the clone cache.
   */
  public static String normalize(String url) {
    String trimmed = url.trim();
    String host;
    String path;
    Matcher scp = SCP_LIKE.matcher(trimmed);
    if (trimmed.contains("://")) {
      try {
        URI uri = new URI(trimmed);
        host = uri.getHost() == null ? "" : uri.getHost();
        path = uri.getPath() == null ? "" : uri.getPath();
      } catch (URISyntaxException e) {
        // Fall back to a textual split; the result is only used as a key.
        String rest = trimmed.substring(trimmed.indexOf("://") + 3);
        int slash = rest.indexOf('/');
        host = slash < 0 ? rest : rest.substring(0, slash);
        host = host.substring(host.lastIndexOf('@') + 1).replaceFirst(":\\d*$", "");
        path = slash < 0 ? "" : rest.substring(slash);
      }
    } else if (scp.matches() && !trimmed.startsWith("/")) {
      host = scp.group(1);
      path = "/" + scp.group(2);
    } else {
      host = "";
      path = trimmed;
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.endsWith(".git")) {
      path = path.substring(0, path.length() - 4);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!host.isEmpty() && !path.startsWith("/")) {
      path = "/" + path;
    }
    return host.toLowerCase(Locale.ROOT) + path;
  }

  /**
   * Key for matching webhook payloads against tracked repositories: {@link #normalize} in lower
   * case. Hosting services treat owner and repository names case-insensitively, and a false match
   * only costs one extra poll.
   */
  public static String matchKey(String url) {
    return normalize(url).toLowerCase(Locale.ROOT);
  }

  /** Directory name for the bare clone of {@code url}: a hash of its normalised form. */
  static String cacheDirName(String url) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(normalize(url).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16) + ".git";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }

  /** The URL with any user-info ({@code user:token@}) removed, safe to log and report. */
  public static String redact(String url) {
    return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
  }
}
