package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RepoUrlTest {
  @Test
  void spellingsOfOneRepositoryNormaliseAlike() {
    for (String url :
        new String[] {
          "https://github.com/acme/db",
          "https://GitHub.com/acme/db.git",
          "https://github.com/acme/db/",
          "https://bot:token@github.com:443/acme/db.git/",
          "git@github.com:acme/db.git",
          "ssh://git@github.com/acme/db",
          "ssh://git@github.com:22/acme/db.git",
          "http://github.com/acme/db"
        }) {
      assertEquals("github.com/acme/db", RepoUrl.normalize(url), url);
    }
  }

  @Test
  void matchKeyIgnoresPathCaseButNormalizeKeepsIt() {
    assertEquals("github.com/Acme/DB", RepoUrl.normalize("https://github.com/Acme/DB.git"));
    assertEquals(
        RepoUrl.matchKey("git@github.com:Acme/DB"), RepoUrl.matchKey("https://github.com/acme/db"));
    assertNotEquals(
        RepoUrl.matchKey("https://github.com/acme/db"),
        RepoUrl.matchKey("https://gitlab.com/acme/db"));
  }

  @Test
  void onlyFtpIsASchemeOrdinalCannotFetchOver() {
    assertEquals(
        Optional.of(
            "ftps://git.example.com/db.git: Ordinal cannot fetch over ftps://; use an https:// or"
                + " ssh:// URL, or a local path"),
        RepoUrl.unsupportedScheme("ftps://git.example.com/db.git"));
    for (String url :
        List.of(
            "https://git.example.com/db.git",
            "http://127.0.0.1:8080/db.git",
            "ssh://git@git.example.com/db.git",
            "git@git.example.com:db.git",
            "git://git.example.com/db.git",
            "file:///srv/git/db.git",
            "/srv/git/db",
            "relative/db")) {
      assertEquals(Optional.empty(), RepoUrl.unsupportedScheme(url), url);
    }
  }

  @Test
  void localPathsKeepTheirPath() {
    assertEquals("/srv/git/db", RepoUrl.normalize("file:///srv/git/db.git"));
    assertEquals("/srv/git/db", RepoUrl.normalize("/srv/git/db/"));
  }

  @Test
  void cacheDirNameIsAStableHashOfTheNormalisedUrl() {
    assertEquals(
        RepoUrl.cacheDirName("git@github.com:acme/db"),
        RepoUrl.cacheDirName("https://github.com/acme/db.git"));
    assertEquals(32 + 4, RepoUrl.cacheDirName("https://github.com/acme/db").length());
  }

  @Test
  void redactRemovesUserInfo() {
    assertEquals(
        "https://github.com/acme/db", RepoUrl.redact("https://bot:s3cret@github.com/acme/db"));
    assertEquals("https://github.com/acme/db", RepoUrl.redact("https://github.com/acme/db"));
  }
}
