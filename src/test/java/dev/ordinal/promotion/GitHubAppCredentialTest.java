package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordinal.testkit.MovableClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHubAppCredentialTest {
  private static final long APP = 123456;
  private static final long INSTALLATION = 7890;
  private static KeyPair keys;
  private static KeyPair otherKeys;

  @TempDir Path tmp;
  private FakeGitHub github;
  private final MovableClock clock = new MovableClock(Instant.parse("2025-06-01T10:00:00Z"));

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    keys = rsa.generateKeyPair();
    otherKeys = rsa.generateKeyPair();
  }

  @BeforeEach
  void start() throws Exception {
    github = FakeGitHub.start("acme/config", "no-plain-token-here", b -> true);
    github.acceptApp(APP, INSTALLATION, keys.getPublic(), clock, Duration.ofHours(1));
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private GitHubForge forge(long installation, PrivateKey key) {
    ForgeClient client =
        new ForgeClient(HttpClient.newHttpClient(), d -> {}, clock, Duration.ofSeconds(30));
    URI api = URI.create(github.api());
    return new GitHubForge(
        api, "acme/config", new GitHubAppCredential(api, APP, installation, key, client), client);
  }

  /** GitHub hands out PKCS#1 keys; the JDK makes PKCS#8, whose 2048-bit header is 26 bytes. */
  private Path pkcs1Pem() throws IOException {
    byte[] pkcs8 = keys.getPrivate().getEncoded();
    byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
    assertEquals(0x30, pkcs1[0] & 0xff, "the PKCS#1 RSAPrivateKey is a SEQUENCE");
    Path pem = tmp.resolve("app.pem");
    Files.writeString(
        pem,
        "-----BEGIN RSA PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs1)
            + "\n-----END RSA PRIVATE KEY-----\n");
    return pem;
  }

  @Test
  void aVerifiedJwtBuysAnInstallationTokenThatIsReusedAndRenewedAMinuteBeforeItExpires()
      throws Exception {
    GitHubForge forge = forge(INSTALLATION, GitHubAppCredential.readKey(pkcs1Pem()));
    forge.pullRequests("main", null, false);
    forge.pullRequests("main", null, false);
    assertEquals(1, github.issued.size(), "the token is reused");
    FakeForge.Seen exchange = github.requests.get(0);
    assertEquals("POST", exchange.method());
    assertEquals("/app/installations/" + INSTALLATION + "/access_tokens", exchange.path());
    JsonNode claims = claims(exchange.authorization());
    long now = clock.instant().getEpochSecond();
    assertEquals(now - 60, claims.get("iat").asLong());
    assertEquals(now + 540, claims.get("exp").asLong());
    assertEquals(String.valueOf(APP), claims.get("iss").asText());
    assertEquals("Bearer " + github.issued.get(0), github.requests.get(1).authorization());
    assertEquals("Bearer " + github.issued.get(0), github.requests.get(2).authorization());

    clock.advance(Duration.ofMinutes(58));
    forge.pullRequests("main", null, false);
    assertEquals(1, github.issued.size(), "still more than a minute left");
    clock.advance(Duration.ofMinutes(1));
    forge.pullRequests("main", null, false);
    assertEquals(2, github.issued.size(), "renewed a minute before expires_at");
    assertEquals(
        "Bearer " + github.issued.get(1),
        github.requests.get(github.requests.size() - 1).authorization());
  }

  @Test
  void a401RenewsTheTokenOnceAndTheCallGoesThrough() throws Exception {
    GitHubForge forge = forge(INSTALLATION, keys.getPrivate());
    forge.pullRequests("main", null, false);
    github.revokeIssued();
    assertEquals(List.of(), forge.pullRequests("main", null, false));
    assertEquals(2, github.issued.size());
    List<String> paths = github.requests.stream().map(FakeForge.Seen::path).toList();
    assertEquals(
        List.of(
            "/app/installations/7890/access_tokens",
            "/repos/acme/config/pulls",
            "/repos/acme/config/pulls",
            "/app/installations/7890/access_tokens",
            "/repos/acme/config/pulls"),
        paths);
  }

  @Test
  void aWrongKeyOrInstallationIsReportedWithWhatToCheckAndNoSecret() throws Exception {
    ForgeException wrongKey =
        assertThrows(
            ForgeException.class,
            () -> forge(INSTALLATION, otherKeys.getPrivate()).pullRequests("main", null, false));
    assertEquals(401, wrongKey.status());
    assertTrue(wrongKey.getMessage().contains("refused the app's JWT"), wrongKey.getMessage());
    String jwt = github.requests.get(0).authorization().substring("Bearer ".length());
    assertFalse(wrongKey.getMessage().contains(jwt));
    assertFalse(wrongKey.getMessage().contains(jwt.substring(jwt.lastIndexOf('.') + 1)));
    assertEquals(1, github.requests.size(), "a refused JWT is not retried");

    ForgeException wrongInstallation =
        assertThrows(
            ForgeException.class,
            () ->
                forge(99, keys.getPrivate())
                    .setStatus("a".repeat(40), Forge.CommitState.PENDING, "c", "d", null));
    assertEquals(404, wrongInstallation.status());
    assertTrue(
        wrongInstallation.getMessage().contains("no installation 99"),
        wrongInstallation.getMessage());
    String key = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
    assertFalse(wrongInstallation.getMessage().contains(key.substring(40, 80)));
  }

  @Test
  void readsPkcs8KeysAndRefusesWhatIsNoKeyWithoutShowingIt() throws Exception {
    Path pkcs8 = tmp.resolve("pkcs8.pem");
    Files.writeString(
        pkcs8,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    forge(INSTALLATION, GitHubAppCredential.readKey(pkcs8)).pullRequests("main", null, false);
    assertEquals(1, github.issued.size(), "the fake verified the signature with the public key");

    Path garbage = tmp.resolve("garbage.pem");
    Files.writeString(
        garbage,
        "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWJ1dC1ub3QtYS1rZXk=\n-----END RSA PRIVATE KEY-----\n");
    IOException e = assertThrows(IOException.class, () -> GitHubAppCredential.readKey(garbage));
    assertTrue(e.getMessage().contains("garbage.pem"), e.getMessage());
    assertFalse(e.getMessage().contains("c2VjcmV0"), e.getMessage());
    Path token = tmp.resolve("token.txt");
    Files.writeString(token, "ghp_notAKey");
    IOException notPem = assertThrows(IOException.class, () -> GitHubAppCredential.readKey(token));
    assertFalse(notPem.getMessage().contains("ghp_notAKey"), notPem.getMessage());
    assertFalse(
        new GitHubAppCredential(
                URI.create(github.api()),
                APP,
                INSTALLATION,
                keys.getPrivate(),
                new ForgeClient(HttpClient.newHttpClient(), d -> {}, clock, Duration.ZERO))
            .toString()
            .contains("BEGIN"));
  }

  private static JsonNode claims(String authorization) throws IOException {
    String[] parts = authorization.substring("Bearer ".length()).split("\\.");
    assertEquals(3, parts.length);
    assertEquals(
        "RS256",
        new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[0])).get("alg").asText());
    return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
  }
}
