package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

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

  @Test
  void aFileWhoseBlobDidNotChangeKeepsItsEntryAndAChangedOneGetsANewOne() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"));
        GitRepoCache cache = new GitRepoCache(tmp.resolve("data"));
        GitRepoCache freshCache = new GitRepoCache(tmp.resolve("fresh"))) {
      remote.commit("main", Map.of("a.yaml", "v: 1", "b.yaml", "v: 2", "sub/c.yaml", "v: 3"));
      GitSource source = GitSource.open(cache, GitSourceConfig.of(remote.fileUrl(), "main", "."));
      List<SourceEntry> first =
          assertInstanceOf(PollResult.Changed.class, source.poll()).tree().entries();
      remote.commit(
          "main", Map.of("a.yaml", "v: 1", "b.yaml", "v: 20", "sub/c.yaml", "v: 3", "d.yaml", ""));
      List<SourceEntry> second =
          assertInstanceOf(PollResult.Changed.class, source.poll()).tree().entries();

      assertEquals(
          List.of("a.yaml", "b.yaml", "d.yaml", "sub/c.yaml"),
          second.stream().map(SourceEntry::path).toList());
      assertSame(first.get(0), second.get(0), "a.yaml did not change");
      assertSame(first.get(2), second.get(3), "sub/c.yaml did not change");
      assertNotEquals(first.get(1).blobId(), second.get(1).blobId(), "b.yaml changed");
      // What a fresh lister says of the same commit.
      GitSource fresh =
          GitSource.open(freshCache, GitSourceConfig.of(remote.fileUrl(), "main", "."));
      assertEquals(
          assertInstanceOf(PollResult.Changed.class, fresh.poll()).tree().entries(), second);
    }
  }
}
