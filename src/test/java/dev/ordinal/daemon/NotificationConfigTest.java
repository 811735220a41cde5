package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotificationConfigTest {
  @TempDir Path tmp;

  DaemonConfig load(String notifications) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(
        file,
        "apps:\n  - {name: shop, repo: /tmp/x, namespace: shop}\nnotifications:\n" + notifications);
    return DaemonConfig.load(file);
  }

  @Test
  void aTargetNeedsANameOneUrlSourceAndAKnownFormat() throws Exception {
    DaemonConfig ok =
        load(
            "  - {name: chat, urlEnv: SLACK_URL, format: slack}\n  - {name: ops, url: 'https://x.example/hook'}\n");
    assertEquals(2, ok.notifications().size());
    assertEquals("json", ok.notifications().get(1).formatOrDefault());

    String secret = "https://hooks.example/T000/B000/do-not-echo-me";
    DaemonConfig.ConfigException e =
        assertThrows(
            DaemonConfig.ConfigException.class,
            () ->
                load(
                    "  - {name: Chat, url: 'ftp://x', format: teams}\n"
                        + "  - {name: ops, url: '"
                        + secret
                        + "', urlEnv: X}\n"));
    String message = e.getMessage();
    assertTrue(message.contains("notifications[0].name: required, a DNS label"), message);
    assertTrue(
        message.contains("notifications[0].url: an http:// or https:// URL is required"), message);
    assertTrue(message.contains("notifications[0].format: slack or json, got 'teams'"), message);
    assertTrue(
        message.contains("notifications[1]: exactly one of url, urlEnv or urlFile"), message);
    assertFalse(message.contains("do-not-echo-me"), "a webhook URL is a secret: " + message);
  }
}
