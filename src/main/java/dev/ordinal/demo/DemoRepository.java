package dev.ordinal.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The demo's config repository: a Git repository on disk, seeded from {@code examples/orders-db} as
 * shipped inside Ordinal's jar, to which the demo commits its releases as a person would.
 */
final class DemoRepository implements AutoCloseable {
  /** Where the jar keeps the example config repository (see the pom's resources). */
  static final String EXAMPLE = "/examples/orders-db";

  private static final PersonIdent AUTHOR = new PersonIdent("Orders team", "orders@example.com");

  /** One change to a file: {@code from} must occur in it, every occurrence becomes {@code to}. */
  record Edit(String file, String from, String to) {}

  private final Git git;
  private final Path workTree;

  private DemoRepository(Git git, Path workTree) {
    this.git = git;
    this.workTree = workTree;
  }

  /** A new repository at {@code dir} with the example as its first commit on {@code main}. */
  static DemoRepository seed(Path dir, String message) throws IOException {
    Files.createDirectories(dir);
    copyExample(dir);
    try {
      Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
      DemoRepository repository = new DemoRepository(git, dir);
      repository.commitAll(message);
      return repository;
    } catch (GitAPIException e) {
      throw new IOException("cannot create the demo's Git repository in " + dir, e);
    }
  }

  /** The URL Ordinal fetches from. */
  String url() {
    return workTree.toUri().toString();
  }

  Path workTree() {
    return workTree;
  }

  /** Applies the edits and commits them; returns the commit id. */
  String commit(String message, List<Edit> edits) throws IOException {
    for (Edit edit : edits) {
      Path file = workTree.resolve(edit.file());
      String text = Files.readString(file);
      if (!text.contains(edit.from())) {
        // The example changed under the demo: say so rather than commit a release that is none.
        throw new IllegalStateException(
            "the demo's release edits '" + edit.from() + "' in " + edit.file() + ", not found");
      }
      Files.writeString(file, text.replace(edit.from(), edit.to()));
    }
    return commitAll(message);
  }

  private String commitAll(String message) throws IOException {
    try {
      git.add().addFilepattern(".").call();
      RevCommit commit =
          git.commit()
              .setMessage(message)
              .setAuthor(AUTHOR)
              .setCommitter(AUTHOR)
              .setSign(false)
              .call();
      return commit.getName();
    } catch (GitAPIException e) {
      throw new IOException("cannot commit to the demo's Git repository: " + e.getMessage(), e);
    }
  }

  /** Copies the example from the jar (or from target/classes when run from the build). */
  private static void copyExample(Path target) throws IOException {
    URL url = DemoRepository.class.getResource(EXAMPLE);
    if (url == null) {
      throw new IOException(
          "the example config repository " + EXAMPLE + " is missing from Ordinal's jar");
    }
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IOException("cannot read " + url, e);
    }
    if ("jar".equals(uri.getScheme())) {
      FileSystem jar;
      try {
        jar = FileSystems.newFileSystem(uri, Map.of());
      } catch (FileSystemAlreadyExistsException e) {
        jar = FileSystems.getFileSystem(uri);
      }
      copyTree(jar.getPath(EXAMPLE), target);
    } else {
      copyTree(Path.of(uri), target);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        Path dest = to.resolve(from.relativize(file).toString());
        Files.createDirectories(dest.getParent());
        Files.writeString(
            dest, Files.readString(file, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public void close() {
    git.close();
  }
}
