package dev.ordinal.git;

import dev.ordinal.manifest.ReadFailures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How to authenticate to a Git remote. {@code toString()} never shows a secret, and nothing in this
 * package logs credentials.
 */
public sealed interface GitCredentials {

  /** Username for HTTPS when only a token is given; GitHub, GitLab and Gitea accept any name. */
  String DEFAULT_TOKEN_USERNAME = "git";

  String ENV_USERNAME = "ORDINAL_GIT_USERNAME";
  String ENV_TOKEN = "ORDINAL_GIT_TOKEN";
  String ENV_TOKEN_FILE = "ORDINAL_GIT_TOKEN_FILE";
  String ENV_SSH_KEY_FILE = "ORDINAL_GIT_SSH_KEY_FILE";
  String ENV_KNOWN_HOSTS_FILE = "ORDINAL_GIT_KNOWN_HOSTS_FILE";

  /** Anonymous access (public repositories, {@code file://}). */
  static GitCredentials none() {
    return None.INSTANCE;
  }

  /** HTTPS basic authentication with a username and a personal access token or password. */
  static GitCredentials https(String username, String token) {
    return new HttpsToken(username, token);
  }

  /**
   * HTTPS with the token read from a file (e.g. a mounted Kubernetes Secret), trailing newline cut.
   */
  static GitCredentials httpsTokenFile(String username, Path tokenFile) throws GitSourceException {
    try {
      String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new GitSourceException(
            tokenFile + ": token file is empty; write the access token into it");
      }
      return new HttpsToken(username, token);
    } catch (IOException e) {
      throw new GitSourceException(
          tokenFile + ": cannot read the Git token file: " + ReadFailures.why(e), e);
    }
  }

  /** SSH with a private key file (unencrypted) and a known_hosts file; no agent, no ~/.ssh. */
  static GitCredentials ssh(Path privateKey, Path knownHosts) throws GitSourceException {
    for (Path file : new Path[] {privateKey, knownHosts}) {
      if (!Files.isReadable(file)) {
        throw new GitSourceException(
            file + ": SSH key or known_hosts file is missing or unreadable; check the mount");
      }
    }
    return new SshKey(privateKey, knownHosts);
  }

  /**
   * Reads credentials from environment variables: {@value #ENV_SSH_KEY_FILE} with {@value
   * #ENV_KNOWN_HOSTS_FILE} for SSH; otherwise {@value #ENV_TOKEN} or {@value #ENV_TOKEN_FILE} (with
   * optional {@value #ENV_USERNAME}) for HTTPS; otherwise none.
   */
  static GitCredentials fromEnvironment(Map<String, String> env) throws GitSourceException {
    String keyFile = blankToNull(env.get(ENV_SSH_KEY_FILE));
    String knownHosts = blankToNull(env.get(ENV_KNOWN_HOSTS_FILE));
    if (keyFile != null || knownHosts != null) {
      if (keyFile == null || knownHosts == null) {
        throw new GitSourceException(
            "SSH credentials need both "
                + ENV_SSH_KEY_FILE
                + " and "
                + ENV_KNOWN_HOSTS_FILE
                + "; set the missing one (host keys are never accepted blindly)");
      }
      return ssh(Path.of(keyFile), Path.of(knownHosts));
    }
    String username =
        Objects.requireNonNullElse(blankToNull(env.get(ENV_USERNAME)), DEFAULT_TOKEN_USERNAME);
    String token = blankToNull(env.get(ENV_TOKEN));
    if (token != null) {
      return https(username, token);
    }
    String tokenFile = blankToNull(env.get(ENV_TOKEN_FILE));
    if (tokenFile != null) {
      return httpsTokenFile(username, Path.of(tokenFile));
    }
    return none();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** No authentication. */
  enum None implements GitCredentials {
    INSTANCE;

    @Override
    public String toString() {
      return "GitCredentials.None";
    }
  }

  /** HTTPS username and token; the token is never shown. */
  record HttpsToken(String username, String token) implements GitCredentials {
    public HttpsToken {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(token, "token");
    }

    @Override
    public String toString() {
      return "GitCredentials.HttpsToken[username=" + username + ", token=***]";
    }
  }

  /**
   * SSH private key and known_hosts files. Paths are not secret; the key content is never read
   * here.
   */
  record SshKey(Path privateKey, Path knownHosts) implements GitCredentials {
    public SshKey {
      Objects.requireNonNull(privateKey, "privateKey");
      Objects.requireNonNull(knownHosts, "knownHosts");
    }

    @Override
    public String toString() {
      return "GitCredentials.SshKey[privateKey=" + privateKey + ", knownHosts=" + knownHosts + "]";
    }
  }
}
