package dev.ordinal.git;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.transport.URIish;

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

  /**
   * The URL without its password and, for http(s) and ftp, without its user name (a token is often
   * given as the user name); safe to log and report. Parsed by JGit's {@link URIish}, so a password
   * containing {@code @} is removed whole. A URL URIish cannot parse is cut at its last {@code @}.
   */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    try {
      URIish uri = new URIish(url);
      if (uri.getUser() == null && uri.getPass() == null) {
        return url;
      }
      URIish safe = uri.setPass(null);
      if (isHttpLike(uri.getScheme())) {
        safe = safe.setUser(null);
      }
      return safe.toString();
    } catch (URISyntaxException e) {
      return USER_INFO.matcher(url).replaceAll("$1");
    }
  }

  /**
   * Removes URL user-info from free text such as a transport error: everything between {@code
   * scheme://} and the last {@code @} before the host, so a password with {@code @} leaks no tail.
   */
  public static String redactText(String text) {
    return text == null ? null : USER_INFO.matcher(text).replaceAll("$1");
  }

  // Greedy up to the last '@' before the path or whitespace: user-info cannot hold '/', the host
  // cannot hold '@'.
  private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\\s]*@");

  /**
   * Why credentials must not be used with {@code url}, or empty when they may: over {@code http://}
   * (or {@code ftp://}) they would cross the network in the clear. A literal loopback address
   * (127.0.0.0/8, [::1]) is allowed, as such traffic never leaves the host (a local Git proxy,
   * tests).
   */
  public static Optional<String> cleartextCredentials(String url) {
    URIish uri;
    try {
      uri = new URIish(url.strip());
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("ftp")) {
      return Optional.empty();
    }
    if (isLoopbackLiteral(uri.getHost())) {
      return Optional.empty();
    }
    return Optional.of(
        redact(url)
            + ": credentials would be sent in the clear over "
            + scheme
            + "://; use an https:// URL (or ssh:// with sshKeyFile), or remove the credentials"
            + " for a public repository");
  }

  /**
   * Why Ordinal cannot fetch from {@code url}, or empty when it can: JGit would take {@code ftp://}
   * and {@code ftps://} as "dumb" HTTP and fail on the connection's type, after the network.
   */
  public static Optional<String> unsupportedScheme(String url) {
    URIish uri;
    try {
      uri = new URIish(url.strip());
    } catch (URISyntaxException e) {
      return Optional.empty(); // the fetch says what is wrong with it
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ftp") && !scheme.equals("ftps")) {
      return Optional.empty();
    }
    return Optional.of(
        redact(url)
            + ": Ordinal cannot fetch over "
            + scheme
            + "://; use an https:// or ssh:// URL, or a local path");
  }

  /** Whether {@code url} carries a user name or password in its user-info. */
  public static boolean hasUserInfo(String url) {
    try {
      URIish uri = new URIish(url.strip());
      return uri.getScheme() != null
          && isHttpLike(uri.getScheme())
          && (uri.getUser() != null || uri.getPass() != null);
    } catch (URISyntaxException e) {
      return false;
    }
  }

  static boolean isHttpLike(String scheme) {
    if (scheme == null) {
      return false;
    }
    String s = scheme.toLowerCase(Locale.ROOT);
    return s.equals("http") || s.equals("https") || s.equals("ftp");
  }

  /** 127.0.0.0/8 or ::1 written as a literal address; host names are not resolved. */
  static boolean isLoopbackLiteral(String host) {
    if (host == null) {
      return false;
    }
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
      return true;
    }
    return h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
  }
}
