package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SSH credentials against a real SSH server: the key file and known_hosts are what is used. */
class GitSourceSshTest {
  @TempDir Path tmp;
  private TestRemote remote;
  private GitRepoCache cache;
  private SshGitServer server;
  private KeyPair clientKey;
  private ObjectId head;

  @BeforeEach
  void setUp() throws Exception {
    remote = TestRemote.create(tmp.resolve("remote.git"));
    head = remote.commit("main", Map.of("apps/db/sts.yaml", "kind: StatefulSet\n"));
    cache = new GitRepoCache(tmp.resolve("data"));
    clientKey = SshGitServer.newKeyPair();
    server = SshGitServer.start(remote.repo, clientKey.getPublic());
    Files.createDirectories(tmp.resolve("ssh"));
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    cache.close();
    remote.close();
  }

  private PollResult poll(KeyPair key, PublicKey trustedHostKey) throws Exception {
    Path keyFile = SshGitServer.writePrivateKey(tmp.resolve("ssh/id_ecdsa"), key);
    Path knownHosts = server.writeKnownHosts(tmp.resolve("ssh/known_hosts"), trustedHostKey);
    GitCredentials credentials = GitCredentials.ssh(keyFile, knownHosts);
    try (GitSource source =
        GitSource.open(
            cache,
            GitSourceConfig.of(server.url(), "main", "apps/db").withCredentials(credentials))) {
      return source.poll();
    }
  }

  @Test
  void rightKeyAndKnownHostFetch() throws Exception {
    PollResult.Changed changed =
        assertInstanceOf(PollResult.Changed.class, poll(clientKey, server.hostKey.getPublic()));
    assertEquals(head.name(), changed.commitId());
    assertEquals(1, changed.tree().entries().size());
  }

  @Test
  void wrongKeyIsRejectedByTheServer() throws Exception {
    PollResult.Failed failed =
        assertInstanceOf(
            PollResult.Failed.class, poll(SshGitServer.newKeyPair(), server.hostKey.getPublic()));
    assertTrue(
        failed.error().startsWith("cannot fetch " + RepoUrl.redact(server.url())), failed.error());
    assertTrue(server.rejectedKeys.get() > 0);
  }

  @Test
  void unknownHostKeyIsNotAccepted() throws Exception {
    PollResult.Failed failed =
        assertInstanceOf(
            PollResult.Failed.class, poll(clientKey, SshGitServer.newKeyPair().getPublic()));
    assertTrue(
        failed.error().startsWith("cannot fetch " + RepoUrl.redact(server.url())), failed.error());
    assertFalse(failed.error().contains("PRIVATE KEY"), failed.error());
  }
}
