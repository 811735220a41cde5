package dev.ordinal.cli;

import dev.ordinal.git.GitCredentials;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSource;
import dev.ordinal.git.GitSourceConfig;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.PollResult;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.SourceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Where a one-shot command reads manifests from: a plain folder, or a Git repository (URL or local
 * path) at a revision, under a path.
 */
final class SourceOptions {
  @Parameters(
      arity = "0..*",
      paramLabel = "DIR",
      description = "Plain local folders of manifests, each checked on its own.")
  List<Path> directories = new ArrayList<>();

  @Option(
      names = "--repo",
      paramLabel = "URL|PATH",
      description = "A Git repository: a URL or a local path.")
  String repo;

  @Option(
      names = "--revision",
      paramLabel = "REF",
      defaultValue = "HEAD",
      description =
          "Branch, tag or commit (default: ${DEFAULT-VALUE}, the remote's default branch).")
  String revision;

  @Option(
      names = "--path",
      paramLabel = "DIR",
      defaultValue = ".",
      description = "Folder inside the repository (default: the root).")
  String path;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where to keep the Git cache (default: a temporary folder).")
  Path dataDir;

  /** Checks that exactly one source was named; returns the problem, or null. */
  String usageProblem() {
    if (directories.isEmpty() == (repo == null)) {
      return "name the manifests either as a folder (ordinal validate DIR) or as --repo URL|PATH [--revision REF] --path DIR";
    }
    return null;
  }

  /** The source trees named: one per folder, or the repository's. */
  List<SourceTree> readAll() throws SourceException {
    if (repo != null) {
      return List.of(read());
    }
    List<SourceTree> trees = new ArrayList<>();
    for (Path directory : directories) {
      trees.add(readDirectory(directory));
    }
    return trees;
  }

  /** Reads the single source tree; failures are user-facing messages. */
  SourceTree read() throws SourceException {
    if (directories.size() > 1) {
      throw new SourceException("name one folder here, not " + directories.size());
    }
    if (!directories.isEmpty()) {
      return readDirectory(directories.get(0));
    }
    return readRepository();
  }

  private static SourceTree readDirectory(Path directory) throws SourceException {
    {
      if (!Files.isDirectory(directory)) {
        throw new SourceException(directory + ": not a folder");
      }
      try {
        return LocalDirectory.read(directory);
      } catch (LocalDirectory.RejectedFilesException e) {
        throw new SourceException(String.join("\n", e.problems()));
      } catch (IOException e) {
        throw new SourceException(directory + ": " + e.getMessage());
      }
    }
  }

  private SourceTree readRepository() throws SourceException {
    String url = repo;
    Path local = Path.of(repo.replaceFirst("^file://", ""));
    if (!repo.contains("://") && !repo.contains("@") && Files.isDirectory(local)) {
      url = local.toAbsolutePath().normalize().toUri().toString();
    }
    try {
      Path cacheDir = dataDir != null ? dataDir : Files.createTempDirectory("ordinal-git");
      GitRepoCache cache = new GitRepoCache(cacheDir);
      GitSource source =
          GitSource.open(
              cache,
              GitSourceConfig.of(url, revision, path)
                  .withCredentials(GitCredentials.fromEnvironment(System.getenv())));
      PollResult result = source.poll();
      if (result instanceof PollResult.Changed changed) {
        return changed.tree();
      }
      if (result instanceof PollResult.Failed failed) {
        throw new SourceException(failed.error());
      }
      throw new SourceException(repo + ": nothing to read at " + revision);
    } catch (GitSourceException e) {
      throw new SourceException(e.getMessage());
    } catch (IOException e) {
      throw new SourceException(repo + ": " + e.getMessage());
    }
  }

  /** The source is unreadable (not the same as invalid manifests). */
  static final class SourceException extends Exception {
    SourceException(String message) {
      super(message);
    }
  }
}
