package dev.ordinal.git;

import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.TreeRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.MutableObjectId;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Lists the manifest files under an app path at one commit, straight from the object database. Only
 * object headers are read (for sizes); file contents are left to the lazy {@code BlobReader}.
 *
 * <p>What is listed follows {@link TreeRules}, as for a folder, so that a commit and a checkout of
 * it give the same answer: hidden directories are skipped, and symlinks are followed to files (the
 * entry carries the target's blob id) and into directories, as long as they stay inside the
 * repository and do not loop.
 *
 * <p>Not thread-safe: each {@link GitSource} owns one and lists under its own lock.
 */
final class TreeLister {
  // A symlink blob is just a path; anything longer than this is not a sensible link.
  private static final int MAX_SYMLINK_TARGET_BYTES = 4096;

  private final long maxFileBytes;
  // Blob ids are content hashes, so a blob that passed the size check once always will. Keeping
  // the ids of the last listing's symlinked files spares their size lookups; a regular file whose
  // blob did not change is known from listedFiles below.
  private Set<ObjectId> sizeCheckedBlobs = new HashSet<>();
  private Set<ObjectId> sizeCheckedNow = new HashSet<>();
  // The regular files of the last listing by path: a file whose blob did not change is listed with
  // the same entry, so no new blob id text is made (and hashed again by every map downstream), and
  // its size is not looked up.
  private Map<String, Listed> listedFiles = new HashMap<>();
  private Map<String, Listed> listedNow = new HashMap<>();

  /** A regular file as last listed: its entry, and its blob id as JGit compares it. */
  private record Listed(SourceEntry entry, ObjectId blob) {}

  TreeLister(long maxFileBytes) {
    this.maxFileBytes = maxFileBytes;
  }

  /**
   * Checks that an app path stays inside the repository and returns it in canonical form ("" for
   * the root, otherwise '/'-separated without leading or trailing slash).
   */
  static String confineAppPath(String appPath) throws GitSourceException {
    return confine(appPath, "app path", "the repository root", "a directory inside the repository");
  }

  /**
   * Checks that a file path given relative to an app's path stays below it and returns it in
   * canonical form; an empty path is refused, as it names no file.
   */
  static String confineFilePath(String filePath) throws GitSourceException {
    String path = confine(filePath, "file path", "the app's path", "a file inside the app's path");
    if (path.isEmpty()) {
      throw new GitSourceException(
          "'" + filePath + "': file path names no file; name a file inside the app's path");
    }
    return path;
  }

  private static String confine(String given, String what, String base, String instead)
      throws GitSourceException {
    String path = given == null ? "" : given.replace('\\', '/').strip();
    if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
      throw new GitSourceException(
          given + ": " + what + " must be relative to " + base + "; remove the leading '/'");
    }
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.equals("..")) {
        throw new GitSourceException(
            given + ": " + what + " must not contain '..'; name " + instead);
      }
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    return String.join("/", parts);
  }

  static boolean isManifestName(String path) {
    return TreeRules.isManifestName(path);
  }

  List<SourceEntry> list(ObjectReader reader, RevTree root, String appPath, String commitLabel)
      throws GitSourceException, IOException {
    sizeCheckedNow = new HashSet<>();
    listedNow = new HashMap<>(listedFiles.size() * 4 / 3 + 1);
    ObjectId start = root;
    if (!appPath.isEmpty()) {
      TreeWalk dir = TreeWalk.forPath(reader, appPath, root);
      if (dir == null) {
        throw new GitSourceException(
            appPath
                + ": app path does not exist at commit "
                + commitLabel
                + "; check the app's path or the tracked ref");
      }
      if (dir.getFileMode(0) != FileMode.TREE) {
        throw new GitSourceException(
            appPath
                + ": app path is not a directory at commit "
                + commitLabel
                + (dir.getFileMode(0) == FileMode.SYMLINK
                    ? " (it is a symlink; name the real directory)"
                    : ""));
      }
      start = dir.getObjectId(0);
    }
    Listing listing = new Listing(reader, root);
    listing.directory(start, appPath, appPath, new ArrayDeque<>(List.of(appPath)));
    if (!listing.problems.isEmpty()) {
      throw new GitSourceException(String.join("\n", listing.problems));
    }
    sizeCheckedBlobs = sizeCheckedNow;
    listedFiles = listedNow;
    listing.entries.sort(Comparator.comparing(SourceEntry::path));
    return listing.entries;
  }

  /**
   * One listing of a tree, by the rules of {@link TreeRules}: directories are read one level at a
   * time so that a symlink to a directory can be followed into its target, with the folders on the
   * way kept to spot a loop.
   */
  private final class Listing {
    private final ObjectReader reader;
    private final RevTree root;
    final List<SourceEntry> entries = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    private final MutableObjectId blob = new MutableObjectId();

    Listing(ObjectReader reader, RevTree root) {
      this.reader = reader;
      this.root = root;
    }

    /**
     * Lists {@code tree}, seen at {@code path} (where its files are reported) and stored at {@code
     * real} (where its symlinks resolve from); {@code chain} holds the real paths of the
     * directories walked through to get here.
     */
    void directory(ObjectId tree, String path, String real, Deque<String> chain)
        throws IOException {
      TreeWalk walk = new TreeWalk(reader);
      walk.addTree(tree);
      walk.setRecursive(false);
      while (walk.next()) {
        String name = walk.getNameString();
        String child = join(path, name);
        String realChild = join(real, name);
        FileMode mode = walk.getFileMode(0);
        try {
          if (mode == FileMode.TREE) {
            if (!TreeRules.isHiddenDirectory(name)) {
              chain.addLast(realChild);
              directory(walk.getObjectId(0), child, realChild, chain);
              chain.removeLast();
            }
          } else if (mode == FileMode.SYMLINK) {
            symlink(child, realChild, name, walk.getObjectId(0), chain);
          } else if (TreeRules.isManifestName(name)
              && (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE)) {
            walk.getObjectId(blob, 0);
            Listed listed = listedFiles.get(child);
            if (listed == null || !listed.blob().equals(blob)) {
              ObjectId id = blob.copy();
              checkSize(reader, child, id);
              listed = new Listed(new SourceEntry(child, id.name()), id);
            }
            listedNow.put(child, listed);
            entries.add(listed.entry());
          }
          // Submodules (gitlinks) and other files are not manifests.
        } catch (GitSourceException e) {
          problems.add(e.getMessage());
        }
      }
    }

    private void symlink(String path, String real, String name, ObjectId link, Deque<String> chain)
        throws GitSourceException, IOException {
      String target = readLinkTarget(reader, path, link);
      Resolved resolved = resolve(path, real, target);
      if (resolved.mode() == FileMode.TREE) {
        if (TreeRules.isHiddenDirectory(name)) {
          return;
        }
        if (chain.contains(resolved.path())) {
          throw new GitSourceException(TreeRules.directoryLoop(path, target));
        }
        chain.addLast(resolved.path());
        directory(resolved.id(), path, resolved.path(), chain);
        chain.removeLast();
      } else if (TreeRules.isManifestName(name)
          && (resolved.mode() == FileMode.REGULAR_FILE
              || resolved.mode() == FileMode.EXECUTABLE_FILE)) {
        checkSize(reader, path, resolved.id());
        entries.add(new SourceEntry(path, resolved.id().name()));
      }
    }

    /**
     * Follows the symlink stored at repository path {@code real} (and any symlinks on the way) to
     * what it finally names.
     */
    private Resolved resolve(String path, String real, String firstTarget)
        throws GitSourceException, IOException {
      String link = real;
      String target = firstTarget;
      for (int hop = 0; hop < TreeRules.MAX_SYMLINK_HOPS; hop++) {
        String resolved = resolveInside(link, target);
        if (resolved == null) {
          throw new GitSourceException(TreeRules.outside(path, firstTarget));
        }
        if (resolved.isEmpty()) {
          return new Resolved("", FileMode.TREE, root);
        }
        Resolved at = lookup(resolved);
        if (at == null) {
          throw new GitSourceException(TreeRules.broken(path, firstTarget));
        }
        if (at.mode() != FileMode.SYMLINK) {
          return at;
        }
        link = at.path();
        target = readLinkTarget(reader, path, at.id());
      }
      throw new GitSourceException(TreeRules.chainLoop(path));
    }

    /**
     * The entry at a repository path; a symlinked directory on the way is followed, as the file
     * system would. Null if there is none.
     */
    private Resolved lookup(String path) throws GitSourceException, IOException {
      int slash = path.lastIndexOf('/');
      ObjectId parent = root;
      String parentPath = "";
      if (slash > 0) {
        Resolved directory = lookup(path.substring(0, slash));
        for (int hop = 0; directory != null && directory.mode() == FileMode.SYMLINK; hop++) {
          if (hop >= TreeRules.MAX_SYMLINK_HOPS) {
            throw new GitSourceException(TreeRules.chainLoop(path));
          }
          String resolved =
              resolveInside(directory.path(), readLinkTarget(reader, path, directory.id()));
          directory = resolved == null ? null : resolved.isEmpty() ? rootEntry() : lookup(resolved);
        }
        if (directory == null || directory.mode() != FileMode.TREE) {
          return null;
        }
        parent = directory.id();
        parentPath = directory.path();
      }
      String name = path.substring(slash + 1);
      TreeWalk at = TreeWalk.forPath(reader, name, parent);
      return at == null
          ? null
          : new Resolved(join(parentPath, name), at.getFileMode(0), at.getObjectId(0));
    }

    private Resolved rootEntry() {
      return new Resolved("", FileMode.TREE, root);
    }
  }

  /**
   * The file at repository path {@code path}, symlinks on the way followed as long as they stay
   * inside the repository; empty when nothing is there.
   *
   * @throws GitSourceException when a symlink leads outside the repository or loops, or the path is
   *     a directory or larger than the size limit
   */
  Optional<ObjectId> fileAt(ObjectReader reader, RevTree root, String path)
      throws GitSourceException, IOException {
    Listing listing = new Listing(reader, root);
    Resolved at = listing.lookup(path);
    if (at == null) {
      return Optional.empty();
    }
    if (at.mode() == FileMode.SYMLINK) {
      at = listing.resolve(path, at.path(), readLinkTarget(reader, path, at.id()));
    }
    if (at.mode() != FileMode.REGULAR_FILE && at.mode() != FileMode.EXECUTABLE_FILE) {
      throw new GitSourceException(path + ": not a file");
    }
    checkSize(reader, path, at.id());
    return Optional.of(at.id().copy());
  }

  /** Where a path finally leads: a repository path, its mode and its object. */
  private record Resolved(String path, FileMode mode, ObjectId id) {}

  private static String join(String directory, String name) {
    return directory.isEmpty() ? name : directory + "/" + name;
  }

  private void checkSize(ObjectReader reader, String path, ObjectId blob)
      throws GitSourceException, IOException {
    if (sizeCheckedBlobs.contains(blob)) {
      sizeCheckedNow.add(blob.copy());
      return;
    }
    long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
    if (size > maxFileBytes) {
      throw new GitSourceException(TreeRules.tooLarge(path, size, maxFileBytes));
    }
    sizeCheckedNow.add(blob.copy());
  }

  private static String readLinkTarget(ObjectReader reader, String path, ObjectId blob)
      throws GitSourceException, IOException {
    long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
    if (size > MAX_SYMLINK_TARGET_BYTES) {
      throw new GitSourceException(
          path + ": symlink target is " + size + " bytes long; not a path");
    }
    return new String(
        reader.open(blob, Constants.OBJ_BLOB).getCachedBytes(), StandardCharsets.UTF_8);
  }

  /**
   * The repository path a link at {@code linkPath} with {@code target} points to, or null when it
   * is absolute or climbs above the repository root.
   */
  static String resolveInside(String linkPath, String target) {
    if (target.startsWith("/") || target.matches("^[A-Za-z]:.*") || target.startsWith("\\")) {
      return null;
    }
    Deque<String> parts = new ArrayDeque<>();
    int slash = linkPath.lastIndexOf('/');
    if (slash > 0) {
      for (String p : linkPath.substring(0, slash).split("/")) {
        parts.addLast(p);
      }
    }
    for (String part : target.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.removeLast();
      } else {
        parts.addLast(part);
      }
    }
    return String.join("/", parts);
  }
}
