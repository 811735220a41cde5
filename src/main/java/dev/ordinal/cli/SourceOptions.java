package dev.ordinal.cli;

import dev.ordinal.git.GitCredentials;
import dev.ordinal.git.GitRepoCache;
import dev.ordinal.git.GitSource;
import dev.ordinal.git.GitSourceConfig;
import dev.ordinal.git.GitSourceException;
import dev.ordinal.git.PollResult;
import dev.ordinal.git.RepoUrl;
import dev.ordinal.manifest.Escapes;
import dev.ordinal.manifest.LocalDirectory;
import dev.ordinal.manifest.SourceTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Where a one-shot command reads manifests from: a plain folder, or a Git repository (URL or local
 * path) at a revision, under a path.
 */
final class SourceOptions {
  private static final Logger log = LoggerFactory.getLogger(SourceOptions.class);

  // The command this mixin is part of: which options were given, not only their values.
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Parameters(
      arity = "0..*",
      paramLabel = "PATH",
      description =
          "Plain local folders of manifests, each checked on its own, or manifest files, checked"
              + " together.")
  List<Path> paths = new ArrayList<>();

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
    if (paths.isEmpty() == (repo == null)) {
      return "name the manifests either as folders or files (ordinal validate PATH...) or as --repo URL|PATH [--revision REF] --path DIR";
    }
    if (repo == null) {
      // Without a repository they would be ignored, and the folder read as if they were not given.
      for (String option : List.of("--revision", "--path")) {
        if (mixee.commandLine().getParseResult().hasMatchedOption(option)) {
          return option + " reads inside a Git repository: give --repo URL|PATH too, or drop it";
        }
      }
    }
    if (revision.isBlank()) {
      return "--revision needs a branch, tag or commit; leave it out for the remote's default branch";
    }
    return null;
  }

  /** A source to read: a folder, the files named together, or the repository. */
  sealed interface Source {
    /** How the source is named in output. */
    String label();

    record Folder(Path path) implements Source {
      @Override
      public String label() {
        return path.toString();
      }
    }

    record FileSet(List<Path> paths) implements Source {
      @Override
      public String label() {
        return String.join(", ", paths.stream().map(Path::toString).toList());
      }
    }

    record Repository(String url) implements Source {
      @Override
      public String label() {
        // A URL may carry a token (https://user:token@host/...); output and logs never show it.
        return RepoUrl.redact(url);
      }
    }
  }

  /**
   * The arguments of {@code ordinal validate} for {@code folder}, a folder of {@code named} as the
   * tree names its files: relative to a folder given, to the repository's root, or, for files named
   * together, to the current folder.
   */
  String command(Source named, String folder) {
    if (named instanceof Source.Repository) {
      return "--repo "
          + Text.escaped(RepoUrl.redact(repo))
          + (revision.equals("HEAD") ? "" : " --revision " + Text.escaped(revision))
          + " --path "
          + Text.escaped(folder);
    }
    Path base = named instanceof Source.Folder given ? given.path() : Path.of("");
    return Text.escaped(base.resolve(folder).toString());
  }

  /** The sources named: each folder on its own, the files together, or the repository. */
  List<Source> sources() {
    if (repo != null) {
      return List.of(new Source.Repository(repo));
    }
    List<Source> sources = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    Set<Path> named = new HashSet<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        sources.add(new Source.Folder(path));
      } else if (named.add(path.toAbsolutePath().normalize())) {
        // A file named twice (a.yaml ./a.yaml) is read once, not reported as its own duplicate.
        files.add(path);
      }
    }
    if (!files.isEmpty()) {
      sources.add(new Source.FileSet(files));
    }
    return sources;
  }

  /** Reads one source; failures are user-facing messages. */
  SourceTree read(Source source) throws SourceException {
    long start = System.nanoTime();
    try {
      SourceTree tree;
      if (source instanceof Source.Folder folder) {
        tree = LocalDirectory.read(folder.path());
      } else if (source instanceof Source.FileSet files) {
        tree = readFiles(files.paths());
      } else {
        tree = readRepository();
      }
      // What -v shows of a command that reads manifests: which files it took, and from where.
      log.info(
          "read {} manifest files from {} at {} in {} ms",
          tree.entries().size(),
          Text.escaped(source.label()),
          Text.escaped(tree.revision()),
          (System.nanoTime() - start) / 1_000_000);
      return tree;
    } catch (LocalDirectory.RejectedFilesException e) {
      throw new SourceException(String.join("\n", e.problems()));
    } catch (IOException e) {
      throw new SourceException(source.label() + ": " + e.getMessage());
    }
  }

  /** Reads the single source tree; failures are user-facing messages. */
  SourceTree read() throws SourceException {
    List<Source> sources = sources();
    if (sources.size() > 1) {
      throw new SourceException("name one folder here, not " + paths.size());
    }
    return read(sources.get(0));
  }

  private static SourceTree readFiles(List<Path> files) throws SourceException, IOException {
    for (Path file : files) {
      if (!Files.exists(file)) {
        throw new SourceException(file + ": no such file or folder");
      }
    }
    return LocalDirectory.readFiles(files, LocalDirectory.DEFAULT_MAX_FILE_BYTES);
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
      throw new SourceException(
          RepoUrl.redact(repo) + ": nothing to read at " + Text.escaped(revision));
    } catch (GitSourceException e) {
      throw new SourceException(e.getMessage());
    } catch (IOException e) {
      throw new SourceException(RepoUrl.redact(repo) + ": " + e.getMessage());
    }
  }

  /**
   * A source that cannot be read (not the same as invalid manifests); the message echoes paths and
   * refs, written out line by line.
   */
  static final class SourceException extends Exception {
    SourceException(String message) {
      super(Escapes.controlsPerLine(message));
    }
  }
}
