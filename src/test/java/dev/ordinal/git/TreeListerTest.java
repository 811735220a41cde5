package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.SourceTree;
import java.nio.file.Path;
import java.util.List;
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
  void symlinkLoopsAndBrokenLinksAreRefusedWithTheFileNamed() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"));
        GitRepoCache cache = new GitRepoCache(tmp.resolve("data"))) {
      remote.commit(
          "main",
          Map.of(
              "apps/a.yaml", TestRemote.link("b.yaml"),
              "apps/b.yaml", TestRemote.link("a.yaml"),
              "apps/sub/x.yaml", "v: 1",
              "apps/sub/up", TestRemote.link(".."),
              "apps/gone.yml", TestRemote.link("missing.yml")));
      PollResult result =
          GitSource.open(cache, GitSourceConfig.of(remote.fileUrl(), "main", "apps")).poll();
      String error = assertInstanceOf(PollResult.Failed.class, result).error();
      assertEquals(
          String.join(
              "\n",
              "apps/a.yaml: more than 8 symlinks in a row (a loop?); link the file directly",
              "apps/b.yaml: more than 8 symlinks in a row (a loop?); link the file directly",
              "apps/gone.yml: symlink points to 'missing.yml', which does not exist",
              "apps/sub/up: symlink points to '..', a folder that contains it (a loop); remove"
                  + " it, or link the files one by one"),
          error);
    }
  }

  @Test
  void symlinksToDirectoriesAreFollowedAndHiddenDirectoriesSkipped() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"));
        GitRepoCache cache = new GitRepoCache(tmp.resolve("data"))) {
      remote.commit(
          "main",
          Map.of(
              "apps/sub/x.yaml", "v: 1",
              "apps/base", TestRemote.link("sub"),
              "apps/dir.yaml", TestRemote.link("../shared"),
              "apps/.github/ci.yml", "on: push",
              "apps/LOUD.YAML", "v: 2",
              "shared/y.json", "{}"));
      PollResult result =
          GitSource.open(cache, GitSourceConfig.of(remote.fileUrl(), "main", "apps")).poll();
      SourceTree tree = assertInstanceOf(PollResult.Changed.class, result).tree();
      assertEquals(
          List.of("apps/LOUD.YAML", "apps/base/x.yaml", "apps/dir.yaml/y.json", "apps/sub/x.yaml"),
          tree.entries().stream().map(SourceEntry::path).toList());
    }
  }
}
