package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCredentialsTest {
  @TempDir Path tmp;

  @Test
  void noVariablesMeansNoCredentials() throws Exception {
    assertEquals(GitCredentials.none(), GitCredentials.fromEnvironment(Map.of()));
  }

  @Test
  void tokenFromEnvironmentWithDefaultUsername() throws Exception {
    GitCredentials creds =
        GitCredentials.fromEnvironment(Map.of("ORDINAL_GIT_TOKEN", "ghp_secret"));
    assertEquals(new GitCredentials.HttpsToken("git", "ghp_secret"), creds);
    assertFalse(creds.toString().contains("ghp_secret"), creds.toString());
  }

  @Test
  void tokenFromFileIsTrimmed() throws Exception {
    Path file = tmp.resolve("token");
    Files.writeString(file, "file-secret\n");
    GitCredentials creds =
        GitCredentials.fromEnvironment(
            Map.of("ORDINAL_GIT_USERNAME", "bot", "ORDINAL_GIT_TOKEN_FILE", file.toString()));
    assertEquals(new GitCredentials.HttpsToken("bot", "file-secret"), creds);
    assertEquals("GitCredentials.HttpsToken[username=bot, token=***]", creds.toString());
  }

  @Test
  void missingOrEmptyTokenFileIsAnActionableError() throws Exception {
    Path missing = tmp.resolve("absent");
    GitSourceException e =
        assertThrows(
            GitSourceException.class,
            () ->
                GitCredentials.fromEnvironment(
                    Map.of("ORDINAL_GIT_TOKEN_FILE", missing.toString())));
    assertEquals(missing + ": cannot read the Git token file: no such file", e.getMessage());
    Path empty = Files.writeString(tmp.resolve("empty"), "\n");
    e = assertThrows(GitSourceException.class, () -> GitCredentials.httpsTokenFile("git", empty));
    assertTrue(e.getMessage().contains("token file is empty"), e.getMessage());
  }

  @Test
  void sshNeedsKeyAndKnownHosts() throws Exception {
    Path key =
        Files.writeString(tmp.resolve("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "");
    GitCredentials creds =
        GitCredentials.fromEnvironment(
            Map.of(
                "ORDINAL_GIT_SSH_KEY_FILE", key.toString(),
                "ORDINAL_GIT_KNOWN_HOSTS_FILE", knownHosts.toString()));
    GitCredentials.SshKey ssh = assertInstanceOf(GitCredentials.SshKey.class, creds);
    assertEquals(key, ssh.privateKey());
    assertFalse(creds.toString().contains("BEGIN"), creds.toString());
    // The factory builds without touching ~/.ssh or an agent.
    try (TransportAuth auth = new TransportAuth("ssh://git@example.com/o/r.git", creds)) {
      assertTrue(auth != null);
    }

    GitSourceException e =
        assertThrows(
            GitSourceException.class,
            () ->
                GitCredentials.fromEnvironment(Map.of("ORDINAL_GIT_SSH_KEY_FILE", key.toString())));
    assertTrue(e.getMessage().contains("ORDINAL_GIT_KNOWN_HOSTS_FILE"), e.getMessage());
  }
}
