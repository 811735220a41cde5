package dev.ordinal.git;

import dev.ordinal.manifest.SourceEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Lists the manifest files under an app path at one commit, straight from the object database. Only
 * object headers are read (for sizes); file contents are left to the lazy {@code BlobReader}.
 *
 * <p>Symlinks: one whose target leaves the repository is refused. One that stays inside and is
 * named like a manifest is followed (up to {@value #MAX_SYMLINK_HOPS} hops) to its target file,
 * whose blob id the entry then carries. Symlinks to directories are not descended into, which rules
 * out cycles; name the real directory instead.
 *
 * <p>Not thread-safe: each {@link GitSource} owns one and lists under its own lock.
 */
final class TreeLister {
  static final int MAX_SYMLINK_HOPS = 8;
  // A symlink blob is just a path; anything longer than this is not a sensible link.
  private static final int MAX_SYMLINK_TARGET_BYTES = 4096;

  private final long maxFileBytes;
  // Blob ids are content hashes, so a blob that passed the size check once always will. Keeping
  // the ids of the last listing makes a one-file change cost one size lookup, not 10,000.
  private Set<ObjectId> sizeCheckedBlobs = new HashSet<>();
  private Set<ObjectId> sizeCheckedNow = new HashSet<>();

  TreeLister(long maxFileBytes) {
    this.maxFileBytes = maxFileBytes;
  }

  /**
   * Checks that an app path stays inside the repository and returns it in canonical form ("" for
   * the root, otherwise '/'-separated without leading or trailing slash).
   */
  static String confineAppPath(String appPath) throws GitSourceException {
    String path = appPath == null ? "" : appPath.replace('\\', '/').strip();
    if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
      throw new GitSourceException(
          appPath + ": app path must be relative to the repository root; remove the leading '/'");
    }
    List<String> parts = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.equals("..")) {
        throw new GitSourceException(
            appPath + ": app path must not contain '..'; name a directory inside the repository");
      }
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    return String.join("/", parts);
  }

  static boolean isManifestName(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
  }

  List<SourceEntry> list(ObjectReader reader, RevTree root, String appPath, String commitLabel)
      throws GitSourceException, IOException {
    sizeCheckedNow = new HashSet<>();
    TreeWalk walk = new TreeWalk(reader);
    String prefix;
    if (appPath.isEmpty()) {
      walk.addTree(root);
      prefix = "";
    } else {
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
      walk.addTree(dir.getObjectId(0));
      prefix = appPath + "/";
    }
    walk.setRecursive(true);

    List<SourceEntry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    while (walk.next()) {
      String path = prefix + walk.getPathString();
      FileMode mode = walk.getFileMode(0);
      try {
        if (mode == FileMode.SYMLINK) {
          ObjectId target = followSymlink(reader, root, path, walk.getObjectId(0));
          if (target != null && isManifestName(path)) {
            entries.add(new SourceEntry(path, target.name()));
          }
        } else if (isManifestName(path)
            && (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE)) {
          ObjectId blob = walk.getObjectId(0);
          checkSize(reader, path, blob);
          entries.add(new SourceEntry(path, blob.name()));
        }
        // Submodules (gitlinks) and other files are not manifests.
      } catch (GitSourceException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new GitSourceException(String.join("\n", problems));
    }
    sizeCheckedBlobs = sizeCheckedNow;
    return entries;
  }

  private void checkSize(ObjectReader reader, String path, ObjectId blob)
      throws GitSourceException, IOException {
    if (sizeCheckedBlobs.contains(blob)) {
      sizeCheckedNow.add(blob.copy());
      return;
    }
    long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
    if (size > maxFileBytes) {
      throw new GitSourceException(
          path
              + ": file is "
              + size
              + " bytes, over the "
              + maxFileBytes
              + "-byte limit; split it into smaller files or raise the size limit");
    }
    sizeCheckedNow.add(blob.copy());
  }

  /**
   * Resolves a symlink at {@code path}. Returns the blob it ends at, or null when it ends at a
   * directory (not followed) and is not named like a manifest.
   */
  private ObjectId followSymlink(ObjectReader reader, RevTree root, String path, ObjectId linkBlob)
      throws GitSourceException, IOException {
    String current = path;
    ObjectId blob = linkBlob;
    for (int hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
      String target = readLinkTarget(reader, current, blob);
      String resolved = resolveInside(current, target);
      if (resolved == null) {
        throw new GitSourceException(
            path
                + ": symlink points to '"
                + target
                + "', outside the repository; replace it with the file itself");
      }
      if (resolved.isEmpty()) {
        return directoryTarget(path, target);
      }
      TreeWalk at = TreeWalk.forPath(reader, resolved, root);
      if (at == null) {
        throw new GitSourceException(
            path + ": symlink target '" + target + "' does not exist in the repository");
      }
      FileMode mode = at.getFileMode(0);
      if (mode == FileMode.SYMLINK) {
        current = resolved;
        blob = at.getObjectId(0);
      } else if (mode == FileMode.TREE) {
        return directoryTarget(path, target);
      } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
        checkSize(reader, path, at.getObjectId(0));
        return at.getObjectId(0);
      } else {
        throw new GitSourceException(
            path + ": symlink target '" + target + "' is not a regular file");
      }
    }
    throw new GitSourceException(
        path
            + ": more than "
            + MAX_SYMLINK_HOPS
            + " symlinks in a row (a loop?); link the file directly");
  }

  private static ObjectId directoryTarget(String path, String target) throws GitSourceException {
    if (isManifestName(path)) {
      throw new GitSourceException(
          path + ": symlink points to directory '" + target + "', not to a manifest file");
    }
    return null;
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
