package dev.ordinal.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Makes a {@link SourceTree} from a plain directory, for {@code ordinal validate DIR}.
 *
 * <p>What is read follows {@link TreeRules}, as for a Git commit, so a folder and a commit of the
 * same files give the same answer. Entries are sorted by path and carry Git's blob id, so the same
 * content gets the same id whether it comes from a directory or a commit. A file that cannot be
 * read is still listed: loading it reports why, beside the problems of the other files.
 */
public final class LocalDirectory {

  /** Files larger than this are refused unless another limit is given. */
  public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

  /** Revision of trees read from a directory, which has no commit id. */
  public static final String REVISION = "local";

  private LocalDirectory() {}

  /** Reads {@code root} with the default size limit of 1 MiB per file. */
  public static SourceTree read(Path root) throws IOException {
    return read(root, DEFAULT_MAX_FILE_BYTES);
  }

  /**
   * Reads every manifest file below {@code root}.
   *
   * @throws RejectedFilesException naming every file that is too large and every symbolic link that
   *     leads outside {@code root}, points to nothing or loops; nothing is returned for a directory
   *     with such files
   */
  public static SourceTree read(Path root, long maxFileBytes) throws IOException {
    Walk walk = new Walk(root.toRealPath(), maxFileBytes);
    Deque<Path> chain = new ArrayDeque<>(List.of(walk.realRoot));
    walk.directory(walk.realRoot, "", chain);
    return walk.tree();
  }

  /**
   * A tree of the files named, checked together as one revision; each entry is named by its path as
   * given. Any name is accepted: the files were chosen by hand.
   *
   * @throws RejectedFilesException naming every file that is too large
   */
  public static SourceTree readFiles(List<Path> files, long maxFileBytes) throws IOException {
    Walk walk = new Walk(Path.of("").toAbsolutePath(), maxFileBytes);
    for (Path file : files) {
      String path = file.toString().replace(file.getFileSystem().getSeparator(), "/");
      try {
        walk.file(file, path, Files.size(file));
      } catch (IOException e) {
        walk.problems.add(TreeRules.unreadable(path, ReadFailures.why(e)));
      }
    }
    return walk.tree();
  }

  /** One reading of a folder: directories one level at a time, symlinks followed by hand. */
  private static final class Walk {
    final Path realRoot;
    final long maxFileBytes;
    final List<SourceEntry> entries = new ArrayList<>();
    final Map<String, byte[]> contents = new HashMap<>();
    final Map<String, IOException> unreadable = new HashMap<>();
    final List<String> problems = new ArrayList<>();

    Walk(Path realRoot, long maxFileBytes) {
      this.realRoot = realRoot;
      this.maxFileBytes = maxFileBytes;
    }

    /** The tree read, or every problem that keeps it from being one. */
    SourceTree tree() throws RejectedFilesException {
      if (!problems.isEmpty()) {
        problems.sort(Comparator.naturalOrder());
        throw new RejectedFilesException(problems);
      }
      entries.sort(Comparator.comparing(SourceEntry::path));
      return new SourceTree(
          REVISION,
          entries,
          entry -> {
            IOException failure = unreadable.get(entry.path());
            if (failure != null) {
              throw failure;
            }
            return contents.get(entry.path()).clone();
          });
    }

    /**
     * Lists the real directory {@code directory}, whose files are reported under {@code path};
     * {@code chain} holds the real directories walked through to get here.
     */
    void directory(Path directory, String path, Deque<Path> chain) {
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
        stream.forEach(children::add);
      } catch (IOException e) {
        problems.add(TreeRules.unreadable(path.isEmpty() ? "." : path, ReadFailures.why(e)));
        return;
      }
      for (Path child : children) {
        String name = child.getFileName().toString();
        String childPath = path.isEmpty() ? name : path + "/" + name;
        try {
          BasicFileAttributes attributes =
              Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (attributes.isSymbolicLink()) {
            symlink(child, childPath, name, chain);
          } else if (attributes.isDirectory()) {
            descend(child, childPath, name, chain);
          } else if (attributes.isRegularFile() && TreeRules.isManifestName(name)) {
            file(child, childPath, attributes.size());
          }
        } catch (IOException e) {
          problems.add(TreeRules.unreadable(childPath, ReadFailures.why(e)));
        }
      }
    }

    private void descend(Path directory, String path, String name, Deque<Path> chain) {
      if (TreeRules.isHiddenDirectory(name)) {
        return;
      }
      chain.addLast(directory);
      directory(directory, path, chain);
      chain.removeLast();
    }

    /** Follows a symlink as {@code TreeLister} does for a commit: the same checks, in order. */
    private void symlink(Path link, String path, String name, Deque<Path> chain)
        throws IOException {
      String firstTarget = Files.readSymbolicLink(link).toString();
      Path current = link;
      String target = firstTarget;
      for (int hop = 0; hop < TreeRules.MAX_SYMLINK_HOPS; hop++) {
        Path resolved = current.getParent().resolve(target).normalize();
        if (!resolved.startsWith(realRoot)) {
          problems.add(TreeRules.outside(path, firstTarget));
          return;
        }
        Path candidate;
        try {
          candidate = resolved.getParent().toRealPath().resolve(resolved.getFileName());
        } catch (NoSuchFileException e) {
          problems.add(TreeRules.broken(path, firstTarget));
          return;
        }
        if (!candidate.startsWith(realRoot)) {
          problems.add(TreeRules.outside(path, firstTarget));
          return;
        }
        BasicFileAttributes attributes;
        try {
          attributes =
              Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          problems.add(TreeRules.broken(path, firstTarget));
          return;
        }
        if (attributes.isSymbolicLink()) {
          current = candidate;
          target = Files.readSymbolicLink(candidate).toString();
        } else if (attributes.isDirectory()) {
          if (chain.contains(candidate)) {
            problems.add(TreeRules.directoryLoop(path, firstTarget));
          } else {
            descend(candidate, path, name, chain);
          }
          return;
        } else {
          if (attributes.isRegularFile() && TreeRules.isManifestName(name)) {
            file(candidate, path, attributes.size());
          }
          return;
        }
      }
      problems.add(TreeRules.chainLoop(path));
    }

    void file(Path real, String path, long size) {
      if (size > maxFileBytes) {
        problems.add(TreeRules.tooLarge(path, size, maxFileBytes));
        return;
      }
      try {
        byte[] content = Files.readAllBytes(real);
        contents.put(path, content);
        entries.add(new SourceEntry(path, gitBlobId(content)));
      } catch (IOException e) {
        // Listed with an id no content has, so that loading reports it, with the reason.
        unreadable.put(path, e);
        entries.add(new SourceEntry(path, "unreadable:" + path));
      }
    }
  }

  /** Git's id for a blob with this content: SHA-1 of {@code "blob <length>\0"} and the content. */
  public static String gitBlobId(byte[] content) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha1.digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }

  /** Some files of a directory cannot be used; {@link #problems()} names each of them. */
  public static final class RejectedFilesException extends IOException {
    private final List<String> problems;

    RejectedFilesException(List<String> problems) {
      super(String.join("\n", problems));
      this.problems = List.copyOf(problems);
    }

    /** One line per refused file: {@code "path: reason"}. */
    public List<String> problems() {
      return problems;
    }
  }
}
