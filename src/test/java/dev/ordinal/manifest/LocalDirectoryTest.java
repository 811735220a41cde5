package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryTest {

  @TempDir Path root;

  private void write(String path, String content) throws Exception {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  void blobIdsAreGitBlobIds() {
    // As printed by `git hash-object` for an empty file and for "hello\n".
    assertEquals("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", LocalDirectory.gitBlobId(new byte[0]));
    assertEquals(
        "ce013625030ba8dba906f756967f9e9ca394464a",
        LocalDirectory.gitBlobId("hello\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void listsManifestFilesRecursivelySortedByPathSkippingHiddenFolders() throws Exception {
    write("z.yaml", "a: 1\n");
    write("b/c.json", "{}");
    write("b/a.yml", "hello\n");
    write("b/notes.txt", "not a manifest");
    write(".github/workflows/ci.yml", "on: push\n");
    write("a.yaml", "");

    SourceTree tree = LocalDirectory.read(root);

    assertEquals("local", tree.revision());
    assertEquals(
        List.of("a.yaml", "b/a.yml", "b/c.json", "z.yaml"),
        tree.entries().stream().map(SourceEntry::path).toList());
    SourceEntry hello = tree.entries().get(1);
    assertEquals("ce013625030ba8dba906f756967f9e9ca394464a", hello.blobId());
    assertArrayEquals("hello\n".getBytes(StandardCharsets.UTF_8), tree.reader().read(hello));
  }

  @Test
  void refusesSymlinksLeadingOutsideAndOversizedFilesNamingEach(@TempDir Path outside)
      throws Exception {
    Files.writeString(outside.resolve("secret.yaml"), "a: 1\n");
    Files.createDirectories(outside.resolve("dir"));
    Files.writeString(outside.resolve("dir/x.yaml"), "a: 1\n");
    write("ok.yaml", "a: 1\n");
    write("big.yaml", "a: " + "x".repeat(200) + "\n");
    Files.createSymbolicLink(root.resolve("link.yaml"), outside.resolve("secret.yaml"));
    Files.createSymbolicLink(root.resolve("linked-dir"), outside.resolve("dir"));
    Files.createSymbolicLink(root.resolve("inside.yaml"), root.resolve("ok.yaml"));

    LocalDirectory.RejectedFilesException rejected =
        assertThrows(
            LocalDirectory.RejectedFilesException.class, () -> LocalDirectory.read(root, 100));

    assertEquals(
        List.of(
            "big.yaml: file is 204 bytes, over the 100-byte limit; split it into smaller files or"
                + " raise the size limit",
            "link.yaml: symlink points to '"
                + outside.resolve("secret.yaml")
                + "', outside the folder or repository being read; replace it with a copy of"
                + " what it points to",
            "linked-dir: symlink points to '"
                + outside.resolve("dir")
                + "', outside the folder or repository being read; replace it with a copy of"
                + " what it points to"),
        rejected.problems());
  }

  @Test
  void symlinksWithinTheRootAreFollowed() throws Exception {
    write("real/ok.yaml", "a: 1\n");
    Files.createSymbolicLink(root.resolve("alias.yaml"), root.resolve("real/ok.yaml"));

    SourceTree tree = LocalDirectory.read(root);

    assertEquals(
        List.of("alias.yaml", "real/ok.yaml"),
        tree.entries().stream().map(SourceEntry::path).toList());
    assertEquals(tree.entries().get(0).blobId(), tree.entries().get(1).blobId());
  }
}
