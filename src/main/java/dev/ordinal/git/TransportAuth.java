package dev.ordinal.git;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.eclipse.jgit.errors.UnsupportedCredentialItem;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.HttpTransport;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Applies {@link GitCredentials} to JGit transports, scoped to the configured URL's origin (scheme,
 * host and port), and guards each fetch with a byte limit. Built once per source.
 *
 * <p>Credentials reach the configured origin only, in two layers: the credentials provider answers
 * only for that origin, and every HTTP request to another origin (JGit follows redirects, and keeps
 * an authentication it already negotiated across them) has its {@code Authorization} header dropped
 * before it is sent.
 */
final class TransportAuth implements AutoCloseable {
  private final Origin origin;
  private final CredentialsProvider credentialsProvider;
  private final SshdSessionFactory sshSessionFactory;

  TransportAuth(String url, GitCredentials credentials) {
    this.origin = Origin.of(url);
    if (credentials instanceof GitCredentials.HttpsToken https) {
      credentialsProvider =
          new ScopedCredentials(
              origin, new UsernamePasswordCredentialsProvider(https.username(), https.token()));
      sshSessionFactory = null;
    } else if (credentials instanceof GitCredentials.SshKey ssh) {
      credentialsProvider = null;
      sshSessionFactory = sshFactory(ssh.privateKey(), ssh.knownHosts());
    } else {
      credentialsProvider = null;
      sshSessionFactory = null;
    }
  }

  /**
   * A session factory that uses exactly the given key and known_hosts: no agent, no ~/.ssh/config,
   * no default identities, so a pod's behaviour does not depend on files we did not mount.
   */
  static SshdSessionFactory sshFactory(Path privateKey, Path knownHosts) {
    Path sshDir = knownHosts.toAbsolutePath().getParent();
    return new SshdSessionFactoryBuilder()
        .setHomeDirectory(sshDir.toFile())
        .setSshDirectory(sshDir.toFile())
        .setConfigStoreFactory((homeDir, configFile, localUserName) -> null)
        .setDefaultIdentities(dir -> List.of(privateKey))
        .setDefaultKnownHostsFiles(dir -> List.of(knownHosts))
        .setPreferredAuthentications("publickey")
        .setConnectorFactory(null)
        .build(new JGitKeyCache());
  }

  /** Sets credentials, the origin guard and the byte limit of {@code guard} on one transport. */
  void configure(Transport transport, FetchGuard guard) {
    if (credentialsProvider != null) {
      transport.setCredentialsProvider(credentialsProvider);
    }
    if (transport instanceof TransportHttp http) {
      http.setHttpConnectionFactory(
          new GuardedHttpConnections(HttpTransport.getConnectionFactory(), origin, guard));
    } else if (transport instanceof SshTransport ssh) {
      SshSessionFactory sessions =
          sshSessionFactory != null ? sshSessionFactory : SshSessionFactory.getInstance();
      ssh.setSshSessionFactory(new GuardedSshSessions(sessions, guard));
    }
  }

  @Override
  public void close() {
    if (sshSessionFactory != null) {
      sshSessionFactory.close();
    }
  }

  /** Scheme, host and port of a URL, the unit to which credentials are bound. */
  record Origin(String scheme, String host, int port) {
    static Origin of(String url) {
      try {
        URIish uri = new URIish(url.strip());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return new Origin(scheme, host, effectivePort(scheme, uri.getPort()));
      } catch (URISyntaxException e) {
        return new Origin("", "", -1);
      }
    }

    static Origin of(URL url) {
      String scheme = url.getProtocol().toLowerCase(Locale.ROOT);
      return new Origin(
          scheme, url.getHost().toLowerCase(Locale.ROOT), effectivePort(scheme, url.getPort()));
    }

    boolean matches(URIish uri) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      return equals(new Origin(scheme, host, effectivePort(scheme, uri.getPort())));
    }

    private static int effectivePort(String scheme, int port) {
      if (port > 0) {
        return port;
      }
      return switch (scheme) {
        case "https" -> 443;
        case "http" -> 80;
        case "ssh" -> 22;
        default -> -1;
      };
    }

    @Override
    public String toString() {
      return scheme + "://" + host + (port > 0 ? ":" + port : "");
    }
  }

  /** Answers credential requests only for the configured origin; every other URI gets none. */
  static final class ScopedCredentials extends CredentialsProvider {
    private final Origin origin;
    private final CredentialsProvider delegate;

    ScopedCredentials(Origin origin, CredentialsProvider delegate) {
      this.origin = Objects.requireNonNull(origin);
      this.delegate = Objects.requireNonNull(delegate);
    }

    @Override
    public boolean isInteractive() {
      return false;
    }

    @Override
    public boolean supports(CredentialItem... items) {
      return delegate.supports(items);
    }

    @Override
    public boolean get(URIish uri, CredentialItem... items) throws UnsupportedCredentialItem {
      if (uri == null || !origin.matches(uri)) {
        return false;
      }
      return delegate.get(uri, items);
    }

    @Override
    public void reset(URIish uri) {
      delegate.reset(uri);
    }
  }
}
