package dev.ordinal.git;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.UploadPack;

/**
 * Serves one repository's upload-pack over SSH on an ephemeral loopback port with Apache MINA SSHD
 * (already on the classpath through JGit's SSH client), accepting one client key only.
 */
final class SshGitServer implements AutoCloseable {
  private final SshServer sshd;
  final KeyPair hostKey;
  final AtomicInteger rejectedKeys = new AtomicInteger();

  private SshGitServer(SshServer sshd, KeyPair hostKey) {
    this.sshd = sshd;
    this.hostKey = hostKey;
  }

  static KeyPair newKeyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  static SshGitServer start(Repository repo, PublicKey clientKey) throws Exception {
    KeyPair hostKey = newKeyPair();
    SshServer sshd = SshServer.setUpDefaultServer();
    SshGitServer server = new SshGitServer(sshd, hostKey);
    sshd.setHost("127.0.0.1");
    sshd.setPort(0);
    sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    sshd.setPublickeyAuthenticator(
        (user, key, session) -> {
          boolean ok = KeyUtils.compareKeys(clientKey, key);
          if (!ok) {
            server.rejectedKeys.incrementAndGet();
          }
          return ok;
        });
    sshd.setCommandFactory((channel, command) -> new UploadPackCommand(repo, command));
    sshd.start();
    return server;
  }

  String url() {
    return "ssh://git@127.0.0.1:" + sshd.getPort() + "/repo.git";
  }

  /** A known_hosts file naming this server with {@code key}. */
  Path writeKnownHosts(Path file, PublicKey key) throws Exception {
    String line = "[127.0.0.1]:" + sshd.getPort() + " " + PublicKeyEntry.toString(key) + "\n";
    return Files.writeString(file, line);
  }

  static Path writePrivateKey(Path file, KeyPair key) throws Exception {
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "test", null, out);
    }
    return file;
  }

  @Override
  public void close() throws Exception {
    sshd.stop(true);
  }

  /** Runs {@code git-upload-pack '/repo.git'} against the one repository. */
  private static final class UploadPackCommand implements Command {
    private final Repository repo;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    UploadPackCommand(Repository repo, String command) {
      this.repo = repo;
      this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
      this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      Thread thread =
          new Thread(
              () -> {
                int status = 0;
                try {
                  if (!command.startsWith("git-upload-pack")) {
                    err.write(("unsupported: " + command + "\n").getBytes(StandardCharsets.UTF_8));
                    status = 1;
                  } else {
                    new UploadPack(repo).upload(in, out, err);
                  }
                  out.flush();
                } catch (Exception e) {
                  status = 1;
                }
                exit.onExit(status);
              },
              "ssh-upload-pack");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }
}
