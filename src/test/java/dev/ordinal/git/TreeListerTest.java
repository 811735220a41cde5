package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeListerTest {
  @TempDir Path tmp;

  @Test
  void resolveInsideStaysWithinTheRoot() {
    assertEquals("apps/db/x.yaml", TreeLister.resolveInside("apps/db/link.yaml", "x.yaml"));
    assertEquals("shared/x.yaml", TreeLister.resolveInside("apps/db/l", "../../shared/./x.yaml"));
    assertEquals("x.yaml", TreeLister.resolveInside("link.yaml", "x.yaml"));
    assertNull(TreeLister.resolveInside("apps/l", "../../x"));
    assertNull(TreeLister.resolveInside("l", "/etc/passwd"));
    assertNull(TreeLister.resolveInside("apps/l", "apps/../../../x"));
  }

  @Test
  void symlinkLoopsAndLinksToDirectoriesAreRefusedWithTheFileNamed() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"));
        GitRepoCache cache = new GitRepoCache(tmp.resolve("data"))) {
      remote.commit(
          "main",
          Map.of(
              "apps/a.yaml", TestRemote.link("b.yaml"),
              "apps/b.yaml", TestRemote.link("a.yaml"),
              "apps/dir.yaml", TestRemote.link("sub"),
              "apps/sub/x.yaml", "v: 1",
              "apps/base", TestRemote.link("sub"),
              "apps/gone.yml", TestRemote.link("missing.yml")));
      PollResult result =
          GitSource.open(cache, GitSourceConfig.of(remote.fileUrl(), "main", "apps")).poll();
      String error = assertInstanceOf(PollResult.Failed.class, result).error();
      assertTrue(error.contains("apps/a.yaml: more than 8 symlinks in a row"), error);
      assertTrue(error.contains("apps/dir.yaml: symlink points to directory 'sub'"), error);
      assertTrue(
          error.contains("apps/gone.yml: symlink target 'missing.yml' does not exist"), error);
      // A link to a directory without a manifest name is simply not descended into.
      assertFalse(error.contains("apps/base"), error);
    }
  }
}
