package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook, listen and Git-size settings of the daemon config, and what they refuse. */
class DaemonConfigSecurityTest {
  @TempDir Path tmp;

  private DaemonConfig load(String yaml) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, yaml);
    return DaemonConfig.load(file);
  }

  private String problem(String yaml) {
    return assertThrows(DaemonConfig.ConfigException.class, () -> load(yaml)).getMessage();
  }

  @Test
  void webhookAndGitSettingsHaveSafeDefaults() throws Exception {
    DaemonConfig config =
        load(
            """
            webhook: {secretEnv: ORDINAL_WEBHOOK_SECRET}
            apps: [{name: shop, repo: "https://git.example.com/c.git", namespace: shop}]
            """);
    assertEquals("0.0.0.0:8081", config.webhook().listenOrDefault());
    assertEquals("/webhook", config.webhook().pathOrDefault());
    assertEquals(1024 * 1024, config.webhook().maxBodyBytes());
    assertFalse(config.webhook().insecureEnabled());
    assertEquals(256L * 1024 * 1024, config.maxFetchBytesOrDefault());

    DaemonConfig custom =
        load(
            """
            listen: 127.0.0.1:9090
            webhook: {listen: 0.0.0.0:9443, path: /hooks/git, insecure: true, maxBodySize: 512Ki}
            git: {maxFetchSize: 1Gi}
            apps: [{name: shop, repo: "https://git.example.com/c.git", namespace: shop}]
            """);
    assertEquals("0.0.0.0:9443", custom.webhook().listenOrDefault());
    assertEquals("/hooks/git", custom.webhook().pathOrDefault());
    assertTrue(custom.webhook().insecureEnabled());
    assertEquals(512 * 1024, custom.webhook().maxBodyBytes());
    assertEquals(1L << 30, custom.maxFetchBytesOrDefault());
  }

  @Test
  void anFtpRepositoryIsAConfigErrorThatSaysWhatToUse() {
    String message =
        problem(
            """
            apps: [{name: shop, repo: "ftp://bot:s3cret@git.example.com/c.git", namespace: shop}]
            """);
    assertTrue(
        message.endsWith(
            "config.yaml: apps[0].repo: ftp://git.example.com/c.git: Ordinal cannot fetch over"
                + " ftp://; use an https:// or ssh:// URL, or a local path"),
        message);
  }

  @Test
  void credentialsOverPlainHttpAreAConfigErrorThatSaysHowToFix() {
    String message =
        problem(
            """
            apps:
              - name: shop
                repo: http://git.example.com/c.git
                namespace: shop
                credentials: {tokenEnv: ORDINAL_GIT_TOKEN}
            """);
    assertTrue(message.contains("apps[0].repo"), message);
    assertTrue(message.contains("in the clear"), message);
    assertTrue(message.contains("https://"), message);

    String inUrl =
        problem(
            """
            apps: [{name: shop, repo: "http://bot:s3cret@git.example.com/c.git", namespace: shop}]
            """);
    assertTrue(inUrl.contains("in the clear"), inUrl);
    assertFalse(inUrl.contains("s3cret"), inUrl);
  }

  @Test
  void contradictoryOrMalformedWebhookSettingsAreRefused() {
    assertTrue(
        problem(
                """
                webhook: {secretEnv: S, insecure: true}
                apps: [{name: shop, repo: "https://h/c.git", namespace: shop}]
                """)
            .contains("webhook.insecure"));
    assertTrue(
        problem(
                """
                listen: 0.0.0.0:8080
                webhook: {listen: 0.0.0.0:8080, secretEnv: S}
                apps: [{name: shop, repo: "https://h/c.git", namespace: shop}]
                """)
            .contains("needs its own port"));
    assertTrue(
        problem(
                """
                webhook: {listen: "nope", secretEnv: S}
                apps: [{name: shop, repo: "https://h/c.git", namespace: shop}]
                """)
            .contains("webhook.listen: expected host:port"));
    assertTrue(
        problem(
                """
                git: {maxFetchSize: lots}
                apps: [{name: shop, repo: "https://h/c.git", namespace: shop}]
                """)
            .contains("git.maxFetchSize"));
  }

  /**
   * Java's HTTP client sends no basic auth from a URL: a password in a Prometheus address did
   * nothing but appear in every message that names the server.
   */
  @Test
  void aPrometheusAddressIsAnHttpUrlWithAHostAndNoPassword() {
    String app = "apps: [{name: shop, repo: \"https://git.example.com/c.git\", namespace: shop}]\n";
    String withPassword =
        problem("prometheus: {default: {address: \"http://ops:s3cret@prom:9090\"}}\n" + app);
    assertTrue(
        withPassword.endsWith(
            "prometheus.default.address: http://prom:9090 has a user or password in it, which"
                + " Ordinal would not send and would show wherever it names the server; use a"
                + " bearer token from a Secret instead"),
        withPassword);
    assertFalse(withPassword.contains("s3cret"), withPassword);
    assertTrue(
        problem("prometheus: {default: {address: \"prom:9090\"}}\n" + app)
            .endsWith(
                "prometheus.default.address: prom:9090 not an http(s) URL with a host, such as"
                    + " http://prometheus:9090"));
    assertTrue(
        problem("prometheus: {default: {address: \"http://prom 9090\"}}\n" + app)
            .contains("prometheus.default.address: http://prom 9090 not a URL (Illegal character"));
  }
}
