package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.promotion.Carry;
import dev.ordinal.promotion.Gates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromotionConfigTest {
  @TempDir Path tmp;

  private static final String APPS =
      """
      apps:
        - name: staging
          repo: https://git.example/acme/config.git
          revision: main
          path: envs/staging
          namespace: staging
          forge: {type: github, repository: acme/config, tokenFile: /var/run/token}
        - name: prod
          repo: https://git.example/acme/config.git
          revision: %s
          path: envs/prod
          namespace: prod
          %s
      """;

  /** A promotion whose freeze windows follow, one a line at this indentation. */
  private static final String FREEZE_WINDOWS =
      """
      promotions:
        - name: staging-to-prod
          from: staging
          to: prod
          mode: push
          freezeWindows:
      """;

  private Path write(String apps, String rest) throws Exception {
    return Files.writeString(tmp.resolve("config.yaml"), apps + rest);
  }

  private String problems(String apps, String rest) throws Exception {
    Path file = write(apps, rest);
    return assertThrows(DaemonConfig.ConfigException.class, () -> DaemonConfig.load(file))
        .getMessage();
  }

  @Test
  void aValidPromotionLoadsWithItsDefaults() throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(
        file,
        String.format(APPS, "main", "forge: {type: github, repository: acme/config, tokenEnv: T}")
            + """
            statusPage: https://ordinal.example/status
            promotions:
              - name: staging-to-prod
                from: staging
                to: prod
                requiredSoakTime: 30m
                freezeWindows: [{from: "2025-12-20T00:00:00Z", until: "2026-01-05T00:00:00Z"}]
            """);
    DaemonConfig config = DaemonConfig.load(file);
    DaemonConfig.Promotion p = config.promotionsOrEmpty().get(0);
    assertEquals("pull-request", p.modeOrDefault());
    assertEquals(Duration.ofMinutes(30), p.soak());
    assertEquals(Duration.ofSeconds(30), config.promotionIntervalOrDefault());
    assertEquals("Ordinal", config.committerOrDefault().name());
    assertTrue(config.apps().get(0).forge().statusesEnabled());
  }

  @Test
  void everyMistakeIsNamedByItsFieldWithWhatToDo() throws Exception {
    String message =
        problems(
            String.format(APPS, "HEAD", ""),
            """
            commitAuthor: {name: Bot}
            promotions:
              - name: Staging To Prod
                from: staging
                to: nowhere
                carry: everything
                mode: merge
                requiredSoakTime: soon
                freezeWindows: [{from: "2026-01-05T00:00:00Z", until: "2025-12-20T00:00:00Z"}]
              - {name: p2, from: staging, to: prod}
            """);
    for (String expected :
        new String[] {
          "commitAuthor: needs name and email",
          "promotions[0].name: required, a DNS label",
          "promotions[0].to: 'nowhere' is not an app of this config",
          "promotions[0].carry: 'everything' is not supported; use images, template, files",
          "promotions[0].mode: 'merge' is not pull-request or push",
          "promotions[0].requiredSoakTime: not a duration such as 30m: 'soon'",
          "promotions[0].freezeWindows[0]: from must be before until",
          "promotions[1].to: app 'prod' tracks 'HEAD'; a promotion needs it to track a branch",
          "promotions[1].mode: pull-request needs a forge on app 'prod'"
        }) {
      assertTrue(message.contains(expected), expected + " in:\n" + message);
    }
  }

  @Test
  void aForgeNeedsARepositoryAndExactlyOneTokenSourceAndNoCleartextApi() throws Exception {
    String message =
        problems(
            String.format(
                APPS,
                "main",
                "forge: {type: gitlab, api: http://forge.example, tokenFile: /a, tokenEnv: B}"),
            "");
    assertTrue(
        message.contains("apps[1].forge.type: 'gitlab' is not supported; use github"), message);
    assertTrue(message.contains("apps[1].forge.repository: required, owner/name"), message);
    assertTrue(
        message.contains(
            "apps[1].forge: give tokenFile (a mounted Secret) or tokenEnv, exactly one"),
        message);
    assertTrue(message.contains("apps[1].forge.api: the token would go in clear text"), message);
  }

  @Test
  void aRecurringFreezeWindowLoadsBesideAFixedOneWithUtcByDefault() throws Exception {
    Path file =
        write(
            String.format(APPS, "main", ""),
            FREEZE_WINDOWS
                + """
                  - {from: "2025-12-20T00:00:00Z", until: "2026-01-05T00:00:00Z"}
                  - {schedule: "0 18 * * 5", duration: 62h, timeZone: Europe/Berlin}
                  - {schedule: "@daily", duration: 1h}
            """);
    List<DaemonConfig.FreezeWindow> windows =
        DaemonConfig.load(file).promotionsOrEmpty().get(0).freezeWindows();
    assertInstanceOf(Gates.FreezeWindow.Fixed.class, windows.get(0).window());
    Gates.FreezeWindow.Recurring weekend =
        assertInstanceOf(Gates.FreezeWindow.Recurring.class, windows.get(1).window());
    assertEquals(Duration.ofHours(62), weekend.duration());
    assertEquals(ZoneId.of("Europe/Berlin"), weekend.zone());
    assertEquals("0 18 * * 5", weekend.schedule().text());
    assertEquals(
        ZoneId.of("UTC"),
        assertInstanceOf(Gates.FreezeWindow.Recurring.class, windows.get(2).window()).zone());
  }

  @Test
  void aRecurringFreezeWindowsMistakesAreNamedByField() throws Exception {
    String message =
        problems(
            String.format(APPS, "main", ""),
            FREEZE_WINDOWS
                + """
                  - {from: "2025-12-20T00:00:00Z", until: "2026-01-05T00:00:00Z"}
                  - {schedule: "0 18 * *", duration: 62h, timeZone: Europe/Berlin}
                  - {schedule: "61 18 * * 5", duration: soon, timeZone: Mars/Olympus}
                  - {schedule: "@every 1h", duration: 9000h}
                  - {from: "2025-12-20T00:00:00Z", schedule: "0 18 * * 5", duration: 1h}
                  - {duration: 1h}
                  - {schedule: "CRON_TZ=UTC 0 18 * * 5", duration: 0s}
            """);
    for (String expected :
        new String[] {
          "promotions[0].freezeWindows[1].schedule: invalid schedule \"0 18 * *\": it has 4"
              + " fields, not 5",
          "promotions[0].freezeWindows[2].schedule: invalid schedule \"61 18 * * 5\": its minute"
              + " field \"61\" must be *, a number from 0 to 59",
          "promotions[0].freezeWindows[2].duration: 'soon' is not a duration from 1m to 8784h",
          "promotions[0].freezeWindows[2].timeZone: 'Mars/Olympus' is not an IANA time zone",
          "promotions[0].freezeWindows[3].schedule: unknown macro \"@every 1h\"",
          "promotions[0].freezeWindows[3].duration: '9000h' is not a duration from 1m to 8784h",
          "promotions[0].freezeWindows[4]: give from and until (once), or schedule and duration",
          "promotions[0].freezeWindows[5].schedule: required, five cron fields",
          "promotions[0].freezeWindows[6].schedule: cannot hold TZ or CRON_TZ; set the time zone in"
              + " the timeZone field instead",
          "promotions[0].freezeWindows[6].duration: '0s' is not a duration"
        }) {
      assertTrue(message.contains(expected), expected + " in:\n" + message);
    }
    assertFalse(message.contains("freezeWindows[0]"), message);
  }

  @Test
  void carryTemplateOrFilesWhoseFilesStayInsideTheAppsPath() throws Exception {
    String rest =
        """
        promotions:
          - {name: images, from: staging, to: prod, mode: push}
          - {name: template, from: staging, to: prod, mode: push, carry: template}
          - name: files
            from: staging
            to: prod
            mode: push
            carry: files
            files: [config/postgresql.conf, ./pg_hba.conf]
        """;
    List<DaemonConfig.Promotion> promotions =
        DaemonConfig.load(write(String.format(APPS, "main", ""), rest)).promotionsOrEmpty();
    assertEquals(new Carry.Images(), promotions.get(0).carryOrDefault());
    assertEquals(new Carry.Template(), promotions.get(1).carryOrDefault());
    assertEquals(
        new Carry.Files(List.of("config/postgresql.conf", "./pg_hba.conf")),
        promotions.get(2).carryOrDefault());

    String message =
        problems(
            String.format(APPS, "main", ""),
            """
            promotions:
              - {name: a, from: staging, to: prod, mode: push, carry: files}
              - name: b
                from: staging
                to: prod
                mode: push
                carry: files
                files: [../prod/secret.yaml, /etc/passwd, config/a.conf, "config//a.conf", ""]
              - {name: c, from: staging, to: prod, mode: push, files: [a.conf]}
            """);
    for (String expected :
        new String[] {
          "promotions[0].files: carry: files needs the files to copy",
          "promotions[1].files[0]: ../prod/secret.yaml: file path must not contain '..'",
          "promotions[1].files[1]: /etc/passwd: file path must be relative to the app's path",
          "promotions[1].files[3]: 'config//a.conf' is named twice",
          "promotions[1].files[4]: '': file path names no file",
          "promotions[2].files: only with carry: files"
        }) {
      assertTrue(message.contains(expected), expected + " in:\n" + message);
    }
  }
}
