package dev.ordinal.manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Makes a {@link SourceTree} from a plain directory, for {@code ordinal validate DIR}.
 *
 * <p>Every {@code .yaml}, {@code .yml} and {@code .json} file below the directory is included,
 * sorted by path, with Git's blob id as its id, so the same content gets the same id whether it
 * comes from a directory or a commit. Hidden directories (such as {@code .git} or {@code .github})
 * are skipped: they hold tooling configuration, not manifests.
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
   * @throws RejectedFilesException naming every file that is too large or is a symbolic link
   *     leading outside {@code root}; nothing is returned for a directory with such files
   */
  public static SourceTree read(Path root, long maxFileBytes) throws IOException {
    Path realRoot = root.toRealPath();
    Map<String, byte[]> contents = new HashMap<>();
    List<SourceEntry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();

    Files.walkFileTree(
        root,
        EnumSet.of(FileVisitOption.FOLLOW_LINKS),
        Integer.MAX_VALUE,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (!dir.toRealPath().startsWith(realRoot)) {
              problems.add(relative(root, dir) + ": symbolic link leads outside " + root);
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String path = relative(root, file);
            if (!isManifest(path)) {
              return FileVisitResult.CONTINUE;
            }
            Path real;
            try {
              real = file.toRealPath();
            } catch (NoSuchFileException broken) {
              problems.add(path + ": broken symbolic link");
              return FileVisitResult.CONTINUE;
            }
            if (!real.startsWith(realRoot)) {
              problems.add(path + ": symbolic link leads outside " + root);
              return FileVisitResult.CONTINUE;
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
              return FileVisitResult.CONTINUE;
            }
            long size = Files.size(real);
            if (size > maxFileBytes) {
              problems.add(
                  path + ": file is " + size + " bytes, larger than the limit of " + maxFileBytes);
              return FileVisitResult.CONTINUE;
            }
            byte[] content = Files.readAllBytes(real);
            contents.put(path, content);
            entries.add(new SourceEntry(path, gitBlobId(content)));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              problems.add(relative(root, file) + ": symbolic link loop");
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });

    if (!problems.isEmpty()) {
      problems.sort(Comparator.naturalOrder());
      throw new RejectedFilesException(problems);
    }
    entries.sort(Comparator.comparing(SourceEntry::path));
    return new SourceTree(REVISION, entries, entry -> contents.get(entry.path()).clone());
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

  private static boolean isManifest(String path) {
    return path.endsWith(".yaml") || path.endsWith(".yml") || path.endsWith(".json");
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
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
