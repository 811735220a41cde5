package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ordinal.git.GitSourceException;
import dev.ordinal.promotion.Carry;
import dev.ordinal.promotion.Environment;
import dev.ordinal.promotion.Gates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
  void aForgeNeedsAKnownTypeARepositoryAndExactlyOneTokenSourceAndNoCleartextApi()
      throws Exception {
    String message =
        problems(
            String.format(
                APPS,
                "main",
                "forge: {type: bitbucket, api: http://forge.example, tokenFile: /a, tokenEnv: B}"),
            "");
    assertTrue(
        message.contains(
            "apps[1].forge.type: 'bitbucket' is not supported; use github, gitlab or gitea"),
        message);
    assertTrue(message.contains("apps[1].forge.repository: required, owner/name"), message);
    assertTrue(
        message.contains(
            "apps[1].forge: give tokenFile (a mounted Secret) or tokenEnv, exactly one"),
        message);
    assertTrue(message.contains("apps[1].forge.api: the token would go in clear text"), message);
  }

  private DaemonConfig.Forge loadForge(String forge) throws Exception {
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, String.format(APPS, "main", forge));
    return DaemonConfig.load(file).apps().get(1).forge();
  }

  @Test
  void gitLabTakesANestedGroupPathAndDefaultsToGitLabCom() throws Exception {
    DaemonConfig.Forge gitlab =
        loadForge("forge: {type: gitlab, repository: acme/platform/config, tokenEnv: T}");
    assertEquals("https://gitlab.com/api/v4", gitlab.apiOrDefault());
    assertEquals(
        "https://api.github.com",
        loadForge("forge: {type: github, repository: acme/config, tokenEnv: T}").apiOrDefault());
    String message =
        problems(
            String.format(APPS, "main", "forge: {type: gitlab, repository: config, tokenEnv: T}"),
            "");
    assertTrue(
        message.contains(
            "apps[1].forge.repository: required, the project's full path such as acme/config or"
                + " acme/platform/config"),
        message);
  }

  @Test
  void giteaNeedsItsApiRootAndAnOwnerAndName() throws Exception {
    DaemonConfig.Forge gitea =
        loadForge(
            "forge: {type: gitea, api: https://git.example/api/v1, repository: acme/config,"
                + " tokenFile: /t}");
    assertEquals("https://git.example/api/v1", gitea.apiOrDefault());
    String message =
        problems(
            String.format(
                APPS,
                "main",
                "forge: {type: gitea, repository: acme/platform/config, tokenEnv: T}"),
            "");
    assertTrue(
        message.contains(
            "apps[1].forge.api: required for gitea, the API root such as"
                + " https://gitea.example.com/api/v1"),
        message);
    assertTrue(message.contains("apps[1].forge.repository: required, owner/name"), message);
  }

  @Test
  void aGitHubAppStandsInForATokenWithAllThreeFieldsOnGitHubOnly() throws Exception {
    DaemonConfig.Forge app =
        loadForge(
            "forge: {type: github, repository: acme/config, appId: 12345, installationId: 678,"
                + " privateKeyFile: /var/run/ordinal/app.pem}");
    assertTrue(app.githubApp());
    assertEquals(12345L, app.appId());
    assertEquals(678L, app.installationId());

    String both =
        problems(
            String.format(
                APPS,
                "main",
                "forge: {type: github, repository: acme/config, tokenEnv: T, appId: 1,"
                    + " installationId: 2}"),
            "");
    assertTrue(
        both.contains(
            "apps[1].forge: give tokenFile (a mounted Secret), tokenEnv, or a GitHub App (appId,"
                + " installationId, privateKeyFile), exactly one"),
        both);
    assertTrue(both.contains("apps[1].forge.privateKeyFile: required with a GitHub App"), both);

    String notGitHub =
        problems(
            String.format(
                APPS,
                "main",
                "forge: {type: gitlab, repository: acme/config, appId: 1, installationId: 2,"
                    + " privateKeyFile: /k}"),
            "");
    assertTrue(
        notGitHub.contains(
            "apps[1].forge: appId, installationId and privateKeyFile are for type github only"),
        notGitHub);
    String badIds =
        problems(
            String.format(
                APPS,
                "main",
                "forge: {type: github, repository: acme/config, appId: 0, installationId: -3,"
                    + " privateKeyFile: /k}"),
            "");
    assertTrue(badIds.contains("apps[1].forge.appId: required with a GitHub App"), badIds);
    assertTrue(badIds.contains("apps[1].forge.installationId: required with a GitHub App"), badIds);
  }

  @Test
  void eachTypeGetsItsAdapterAndAnUnreadableAppKeyNamesItsFileOnly() throws Exception {
    Path token = tmp.resolve("token");
    Files.writeString(token, "secret-token\n");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    Path pem = tmp.resolve("app.pem");
    Files.writeString(
        pem,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder()
                .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    String apps =
        """
        apps:
          - {name: a, repo: https://git.example/a.git, revision: main, path: a, namespace: a,
             forge: {type: gitlab, repository: acme/platform/config, tokenFile: %1$s}}
          - {name: b, repo: https://git.example/b.git, revision: main, path: b, namespace: b,
             forge: {type: gitea, api: https://gitea.example/api/v1, repository: acme/config, tokenFile: %1$s}}
          - {name: c, repo: https://git.example/c.git, revision: main, path: c, namespace: c,
             forge: {type: github, repository: acme/config, appId: 1, installationId: 2, privateKeyFile: %2$s}}
        """;
    Path file = tmp.resolve("config.yaml");
    Files.writeString(file, String.format(apps, token, pem));
    Map<String, Environment> envs = Promotions.environments(DaemonConfig.load(file));
    assertEquals("gitlab acme/platform/config", envs.get("a").forge().orElseThrow().describe());
    assertEquals("gitea acme/config", envs.get("b").forge().orElseThrow().describe());
    assertEquals("github acme/config", envs.get("c").forge().orElseThrow().describe());

    Files.writeString(file, String.format(apps, token, tmp.resolve("missing.pem")));
    DaemonConfig missing = DaemonConfig.load(file);
    GitSourceException e =
        assertThrows(GitSourceException.class, () -> Promotions.environments(missing));
    assertTrue(e.getMessage().contains("missing.pem"), e.getMessage());
    assertTrue(e.getMessage().contains("check the Secret's mount"), e.getMessage());
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
