package dev.ordinal.promotion;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * A GitHub App installation as the caller: a JWT signed with the app's private key (RS256, issued a
 * minute in the past against clock drift, expiring nine minutes from now, GitHub's limit being ten)
 * is exchanged at {@code POST /app/installations/{id}/access_tokens} for an installation token. The
 * token is kept until a minute before its {@code expires_at} and fetched anew after a 401. Neither
 * the key nor a token is ever part of a message.
 */
public final class GitHubAppCredential implements ForgeCredential {
  private static final Duration ISSUED_BEFORE = Duration.ofSeconds(60);
  private static final Duration LIFETIME = Duration.ofMinutes(9);
  private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(1);
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private static final String JWT_REFUSED =
      "GitHub refused the app's JWT; check appId, that privateKeyFile is a current key of that"
          + " app, and this host's clock";

  private final long appId;
  private final long installationId;
  private final PrivateKey key;
  private final Clock clock;
  private final ForgeHttp http;
  private String token;
  private Instant renewAt;

  /**
   * @param api the API root, as for {@link GitHubForge}
   */
  public GitHubAppCredential(
      URI api, long appId, long installationId, PrivateKey key, ForgeClient client) {
    this.appId = appId;
    this.installationId = installationId;
    this.key = key;
    this.clock = client.clock();
    this.http =
        new ForgeHttp(
            "github app " + appId + " installation " + installationId,
            api,
            client,
            GitHubForge.DIALECT,
            null);
  }

  @Override
  public synchronized String secret() throws ForgeException {
    Instant now = clock.instant();
    if (token != null && now.isBefore(renewAt)) {
      return token;
    }
    token = null;
    JsonNode answer;
    try {
      answer =
          http.read(
              http.send(
                  "POST",
                  URI.create(
                      http.api() + "/app/installations/" + installationId + "/access_tokens"),
                  null,
                  "get an installation token",
                  new Token(jwt(now), JWT_REFUSED),
                  ForgeHttp::success));
    } catch (ForgeException e) {
      if (e.status() != 404) {
        throw e;
      }
      // GitHub's 404 hint speaks of repositories; here it is the installation that is missing.
      throw new ForgeException(
          404,
          "github app "
              + appId
              + ": no installation "
              + installationId
              + " of this app; check installationId (the number in the installation's settings"
              + " URL)");
    }
    String issued = answer.path("token").asText("");
    Instant expiresAt;
    try {
      expiresAt = Instant.parse(answer.path("expires_at").asText(""));
    } catch (DateTimeParseException e) {
      throw new ForgeException(
          0, "github app " + appId + ": the installation token came without a valid expires_at");
    }
    if (issued.isEmpty()) {
      throw new ForgeException(
          0, "github app " + appId + ": GitHub returned no installation token");
    }
    token = issued;
    renewAt = expiresAt.minus(RENEW_BEFORE_EXPIRY);
    return token;
  }

  @Override
  public synchronized boolean renew() {
    token = null;
    return true;
  }

  @Override
  public String whenRefused() {
    return "the installation token was refused even when fresh; check that app "
        + appId
        + " is installed on the repository with pull requests and commit statuses: write";
  }

  @Override
  public String toString() {
    return "GitHubAppCredential[app=" + appId + ", installation=" + installationId + "]";
  }

  /** A JWT for the app as of {@code now}: header and claims base64url-encoded, RS256-signed. */
  String jwt(Instant now) throws ForgeException {
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    String claims =
        ForgeHttp.JSON
            .createObjectNode()
            .put("iat", now.minus(ISSUED_BEFORE).getEpochSecond())
            .put("exp", now.plus(LIFETIME).getEpochSecond())
            .put("iss", String.valueOf(appId))
            .toString();
    String signingInput = base64url(header) + "." + base64url(claims);
    try {
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(key);
      rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + BASE64URL.encodeToString(rs256.sign());
    } catch (GeneralSecurityException e) {
      throw new ForgeException(
          0, "github app " + appId + ": cannot sign a JWT with the private key; is it an RSA key?");
    }
  }

  private static String base64url(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The RSA private key of a PEM file: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what GitHub hands
   * out) or PKCS#8 ({@code BEGIN PRIVATE KEY}). The message of a failure names the file and never
   * its content.
   */
  public static PrivateKey readKey(Path pem) throws IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    boolean pkcs1 = text.contains("-----BEGIN RSA PRIVATE KEY-----");
    String begin = pkcs1 ? "-----BEGIN RSA PRIVATE KEY-----" : "-----BEGIN PRIVATE KEY-----";
    String end = pkcs1 ? "-----END RSA PRIVATE KEY-----" : "-----END PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IOException(
          pem
              + ": not a PEM RSA private key (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY;"
              + " an encrypted key is not supported)");
    }
    try {
      byte[] der =
          Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
      return KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? pkcs8(der) : der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IOException(pem + ": the PEM does not hold a readable RSA private key");
    }
  }

  /**
   * PKCS#1's RSAPrivateKey wrapped as PKCS#8's PrivateKeyInfo, which the JDK reads: version 0, the
   * rsaEncryption algorithm (OID 1.2.840.113549.1.1.1, NULL parameters), the key as an OCTET
   * STRING.
   */
  static byte[] pkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] algorithm = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    byte[] octets = der(0x04, pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(version);
    body.writeBytes(algorithm);
    body.writeBytes(octets);
    return der(0x30, body.toByteArray());
  }

  /** A DER element: tag, definite length (short or long form), content. */
  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
