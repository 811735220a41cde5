package dev.ordinal.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.SourceTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
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

  /**
   * A lister kept from commit to commit reuses what did not change; this holds it, over a random
   * walk of commits (files changed, added, removed and renamed; directories, hidden ones and
   * symlinks to files and directories; failures), to a new lister's listing of each commit.
   */
  @Test
  void aListerKeptAcrossCommitsListsEachAsANewOneDoes() throws Exception {
    Random random = new Random(18);
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"))) {
      Repository repo = remote.repository();
      Map<String, TreeLister> kept = Map.of("", new TreeLister(64), "sub", new TreeLister(64));
      Map<String, String> files = new TreeMap<>();
      List<String> names =
          List.of(
              "a.yaml",
              "b.yaml",
              "c.yml",
              "d.json",
              "e.txt",
              "sub/f.yaml",
              "sub/g.yaml",
              "sub/deep/h.yaml",
              ".hidden/i.yaml",
              "z/j.yaml",
              "z/k.yaml",
              "link.yaml",
              "dirlink");
      for (int commit = 0; commit < 300; commit++) {
        int changes = 1 + random.nextInt(3);
        for (int c = 0; c < changes; c++) {
          String name = names.get(random.nextInt(names.size()));
          int what = random.nextInt(10);
          if (what == 0) {
            files.remove(name);
          } else if (name.equals("link.yaml")) {
            files.put(name, TestRemote.link(random.nextBoolean() ? "a.yaml" : "sub/g.yaml"));
          } else if (name.equals("dirlink")) {
            files.put(name, TestRemote.link(random.nextBoolean() ? "sub" : "z"));
          } else if (what == 1) {
            files.put(name, "x".repeat(100)); // larger than the limit: the listing fails
          } else {
            files.put(name, "v: " + random.nextInt(4));
          }
        }
        if (files.isEmpty()) {
          files.put("a.yaml", "v: 0");
        }
        remote.commit("main", files);
        RevTree tree;
        try (RevWalk walk = new RevWalk(repo)) {
          tree = walk.parseCommit(repo.resolve("refs/heads/main")).getTree();
        }
        for (String app : List.of("", "sub")) {
          String fresh;
          String listed;
          try (ObjectReader reader = repo.newObjectReader()) {
            fresh = listing(new TreeLister(64), reader, tree, app);
            listed = listing(kept.get(app), reader, tree, app);
          }
          assertEquals(fresh, listed, "commit " + commit + " of " + files.keySet());
        }
        try (ObjectReader reader = repo.newObjectReader()) {
          assertEquals(
              listing(new TreeLister(64), reader, tree, ""),
              listing(kept.get(""), reader, tree, ""));
        }
      }
    }
  }

  /**
   * In a directory of 300 files, a commit that removes one, renames one and edits one gives new
   * entries to the renamed and the edited file only: every other file keeps the entry it had.
   */
  @Test
  void aFileRemovedOrRenamedCostsOnlyItselfNotTheFilesAfterIt() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"))) {
      Repository repo = remote.repository();
      Map<String, String> files = new TreeMap<>();
      for (int i = 0; i < 300; i++) {
        files.put(String.format("f-%03d.yaml", i), "v: " + i);
      }
      TreeLister lister = new TreeLister(1024);
      List<SourceEntry> before = listed(remote, files, lister);
      files.remove("f-010.yaml");
      files.put("z-renamed.yaml", files.remove("f-020.yaml"));
      files.put("f-250.yaml", "v: edited");
      List<SourceEntry> after = listed(remote, files, lister);

      assertEquals(List.of("f-250.yaml", "z-renamed.yaml"), renewed(before, after));
      try (ObjectReader reader = repo.newObjectReader()) {
        assertEquals(
            new TreeLister(1024).list(reader, head(repo), "", "c"), after, "as a new lister");
      }

      // One file in the middle: the files after it are found by the bytes that end both trees.
      files.put("f-150.yaml", "v: edited");
      assertEquals(List.of("f-150.yaml"), renewed(after, listed(remote, files, lister)));
    }
  }

  /**
   * Git sorts a directory's name as if it ended in '/', so {@code sub} comes after {@code sub.yaml}
   * and {@code sub-x.yaml}: walking the last listing by name must follow that order, or the files
   * after a change near it are read again.
   */
  @Test
  void aDirectorySortsAmongFilesAsGitSortsIt() throws Exception {
    try (TestRemote remote = TestRemote.create(tmp.resolve("remote.git"))) {
      Map<String, String> files = new TreeMap<>();
      for (String name :
          List.of("a.yaml", "sub-x.yaml", "sub.yaml", "sub/in.yaml", "sub0.yaml", "subz.yaml")) {
        files.put(name, "v: " + name);
      }
      TreeLister lister = new TreeLister(1024);
      List<SourceEntry> before = listed(remote, files, lister);
      files.remove("a.yaml");
      files.put("subz.yaml", "v: edited");

      List<SourceEntry> after = listed(remote, files, lister);

      assertEquals(List.of("subz.yaml"), renewed(before, after));
      try (ObjectReader reader = remote.repository().newObjectReader()) {
        assertEquals(
            new TreeLister(1024).list(reader, head(remote.repository()), "", "c"),
            after,
            "as a new lister");
      }
    }
  }

  /** The paths of {@code after} whose entry is not the very object {@code before} had. */
  private static List<String> renewed(List<SourceEntry> before, List<SourceEntry> after) {
    Map<String, SourceEntry> was = new TreeMap<>();
    before.forEach(e -> was.put(e.path(), e));
    List<String> renewed = new ArrayList<>();
    for (SourceEntry entry : after) {
      if (was.get(entry.path()) != entry) {
        renewed.add(entry.path());
      }
    }
    return renewed;
  }

  private static List<SourceEntry> listed(
      TestRemote remote, Map<String, String> files, TreeLister lister) throws Exception {
    remote.commit("main", files);
    try (ObjectReader reader = remote.repository().newObjectReader()) {
      return lister.list(reader, head(remote.repository()), "", "c");
    }
  }

  private static RevTree head(Repository repo) throws Exception {
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.parseCommit(repo.resolve("refs/heads/main")).getTree();
    }
  }

  /** The entries listed, or the failure, as text. */
  private static String listing(TreeLister lister, ObjectReader reader, RevTree tree, String app)
      throws Exception {
    try {
      return lister.list(reader, tree, app, "c").toString();
    } catch (GitSourceException e) {
      return "failed: " + e.getMessage();
    }
  }
}
