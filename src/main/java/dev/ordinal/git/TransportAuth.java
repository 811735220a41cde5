package dev.ordinal.git;

import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/** Applies {@link GitCredentials} to JGit transport commands. Built once per source. */
final class TransportAuth implements AutoCloseable {
  private final CredentialsProvider credentialsProvider;
  private final SshdSessionFactory sshSessionFactory;

  TransportAuth(GitCredentials credentials) {
    if (credentials instanceof GitCredentials.HttpsToken https) {
      credentialsProvider =
          new UsernamePasswordCredentialsProvider(https.username(), https.token());
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

  void apply(TransportCommand<?, ?> command) {
    if (credentialsProvider != null) {
      command.setCredentialsProvider(credentialsProvider);
    }
    if (sshSessionFactory != null) {
      command.setTransportConfigCallback(
          transport -> {
            if (transport instanceof SshTransport sshTransport) {
              sshTransport.setSshSessionFactory(sshSessionFactory);
            }
          });
    }
  }

  @Override
  public void close() {
    if (sshSessionFactory != null) {
      sshSessionFactory.close();
    }
  }
}
