package dev.ordinal.git;

import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.TreeRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.Paths;
import org.eclipse.jgit.util.RawParseUtils;

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
  // entry did not change is known from its directory's last listing below.
  private Set<ObjectId> sizeCheckedBlobs = new HashSet<>();
  private Set<ObjectId> sizeCheckedNow = new HashSet<>();
  // Each directory of the last listing, by where it was seen and where it is stored (see
  // ListedDirectory), and those of the listing under way.
  private Map<String, ListedDirectory> directories = new HashMap<>();
  private Map<String, ListedDirectory> directoriesNow = new HashMap<>();

  /**
   * A directory as last listed: its tree object's bytes, where each of its entries ends in them,
   * and what each entry gave: a {@link SourceEntry} or an {@link Outcome}.
   *
   * <p>A commit that changes one file of a directory of 10,000 leaves all but one entry's bytes as
   * they were, and an entry with the same bytes (mode, name and blob id) lists the same way: the
   * next listing reads only the entries whose bytes differ, and hands back the same entries for the
   * rest. Listing each name again, and finding its last entry by path, cost a one-file change at
   * 10,000 files more than its fetch's client side.
   */
  private record ListedDirectory(byte[] raw, int[] ends, Object[] listed) {
    int start(int entry) {
      return entry == 0 ? 0 : ends[entry - 1];
    }
  }

  /** What an entry gave, when it is not a file listed (a {@link SourceEntry}). */
  private enum Outcome {
    /** Nothing: not a manifest, a gitlink, a hidden directory. */
    NOT_LISTED,
    /**
     * A directory or symlink: what it gives depends on more than its own bytes (the trees below it,
     * what the link resolves to), so it is listed again each time.
     */
    FOLLOWED
  }

  TreeLister(long maxFileBytes) {
    this.maxFileBytes = maxFileBytes;
  }

  /**
   * Checks that an app path stays inside the repository and returns it in canonical form ("" for
   * the root, otherwise '/'-separated without leading or trailing slash).
   */
  static String confineAppPath(String appPath) throws GitSourceException {
    return confine(
        appPath,
        "the path (apps[].path, or --path)",
        "the repository root",
        "a directory inside the repository");
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
    directoriesNow = new HashMap<>(directories.size() * 4 / 3 + 1);
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
    directories = directoriesNow;
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

    Listing(ObjectReader reader, RevTree root) {
      this.reader = reader;
      this.root = root;
    }

    /**
     * Lists {@code tree}, seen at {@code path} (where its files are reported) and stored at {@code
     * real} (where its symlinks resolve from); {@code chain} holds the real paths of the
     * directories walked through to get here. Entries whose bytes are as in this directory's last
     * listing give what they gave then ({@link ListedDirectory}); only the others are read.
     */
    void directory(ObjectId tree, String path, String real, Deque<String> chain)
        throws IOException {
      byte[] raw = reader.open(tree, Constants.OBJ_TREE).getCachedBytes();
      String key = path + '\0' + real;
      ListedDirectory before = directories.get(key);
      int count = before == null ? 0 : before.ends().length;
      // The entries before the first byte that differs are as they were, and so are those within
      // the bytes that end both trees alike.
      int head = 0;
      int common = 0;
      if (before != null) {
        int first = Arrays.mismatch(before.raw(), raw);
        if (first < 0) {
          head = count;
        } else {
          while (head < count && before.ends()[head] <= first) {
            head++;
          }
          common = commonSuffix(before.raw(), raw, first);
        }
      }
      int shift = raw.length - (before == null ? 0 : before.raw().length);
      EntryOutcomes outcomes = new EntryOutcomes(count + 1);
      for (int i = 0; i < head; i++) {
        reuse(before, i, raw, 0, path, real, chain, outcomes);
      }
      int position = head == 0 ? 0 : before.ends()[head - 1];
      int next = head; // the entry of before that may start where this listing is
      int mid = head; // the entry of before whose name is next in order
      while (position < raw.length) {
        while (next < count && before.start(next) + shift < position) {
          next++;
        }
        if (next < count
            && before.start(next) + shift == position
            && before.start(next) >= before.raw().length - common) {
          for (int i = next; i < count; i++) {
            reuse(before, i, raw, shift, path, real, chain, outcomes);
          }
          break;
        }
        int end = entryEnd(raw, position);
        // Walk the last listing by name alongside (trees sort in Git's order, which Paths.compare
        // follows): past entries removed since, onto the one with this name, if any. A file added,
        // removed or renamed then costs only itself, not every entry after it.
        while (mid < count && compareNames(before, mid, raw, position, end) < 0) {
          mid++;
        }
        if (mid < count
            && before.ends()[mid] - before.start(mid) == end - position
            && Arrays.equals(
                before.raw(), before.start(mid), before.ends()[mid], raw, position, end)
            && before.listed()[mid] != Outcome.FOLLOWED) {
          outcomes.add(before.listed()[mid], end);
          mid++;
        } else {
          outcomes.add(entry(raw, position, end, path, real, chain), end);
          if (mid < count && compareNames(before, mid, raw, position, end) == 0) {
            mid++; // the same name with a new mode or object
          }
        }
        position = end;
      }
      // A directory that lists no file (docs, sources, only folders) is not kept: its bytes would
      // be held for nothing but the names it skips.
      if (outcomes.files > 0) {
        directoriesNow.put(
            key,
            new ListedDirectory(
                raw,
                Arrays.copyOf(outcomes.ends, outcomes.size),
                Arrays.copyOf(outcomes.listed, outcomes.size)));
      }
    }

    /** What a directory's entries gave so far, in order, and where each ends. */
    private final class EntryOutcomes {
      int[] ends;
      Object[] listed;
      int size;
      int files;

      EntryOutcomes(int capacity) {
        ends = new int[capacity];
        listed = new Object[capacity];
      }

      void add(Object what, int end) {
        if (size == ends.length) {
          ends = Arrays.copyOf(ends, size * 2);
          listed = Arrays.copyOf(listed, size * 2);
        }
        ends[size] = end;
        listed[size++] = what;
        if (what instanceof SourceEntry file) {
          entries.add(file);
          files++;
        }
      }
    }

    /** Entry {@code i} of {@code before}, which starts {@code shift} bytes later in {@code raw}. */
    private void reuse(
        ListedDirectory before,
        int i,
        byte[] raw,
        int shift,
        String path,
        String real,
        Deque<String> chain,
        EntryOutcomes outcomes)
        throws IOException {
      int end = before.ends()[i] + shift;
      Object then = before.listed()[i];
      outcomes.add(
          then == Outcome.FOLLOWED
              ? entry(raw, before.start(i) + shift, end, path, real, chain)
              : then,
          end);
    }

    /**
     * Lists the entry at {@code raw[start, end)} (a tree entry: octal mode, a space, the name, a
     * zero byte, the 20-byte object id) and says what it gave.
     */
    private Object entry(
        byte[] raw, int start, int end, String path, String real, Deque<String> chain)
        throws IOException {
      int space = space(raw, start, end);
      int bits = modeBits(raw, start, space);
      int idAt = end - Constants.OBJECT_ID_LENGTH;
      String name = RawParseUtils.decode(raw, space + 1, idAt - 1);
      ObjectId id = ObjectId.fromRaw(raw, idAt);
      String child = join(path, name);
      String realChild = join(real, name);
      FileMode mode = FileMode.fromBits(bits);
      try {
        if (mode == FileMode.TREE) {
          if (TreeRules.isHiddenDirectory(name)) {
            return Outcome.NOT_LISTED;
          }
          chain.addLast(realChild);
          directory(id, child, realChild, chain);
          chain.removeLast();
          return Outcome.FOLLOWED;
        }
        if (mode == FileMode.SYMLINK) {
          symlink(child, realChild, name, id, chain);
          return Outcome.FOLLOWED;
        }
        if (TreeRules.isManifestName(name)
            && (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE)) {
          checkSize(reader, child, id);
          return new SourceEntry(child, id.name());
        }
        // Submodules (gitlinks) and other files are not manifests.
        return Outcome.NOT_LISTED;
      } catch (GitSourceException e) {
        problems.add(e.getMessage());
        return Outcome.NOT_LISTED; // the listing fails, and none of it is kept
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

  /**
   * How entry {@code i} of {@code before} sorts against the entry at {@code raw[start, end)}, by
   * name in Git's tree order (a tree's name as if it ended in '/').
   */
  private static int compareNames(ListedDirectory before, int i, byte[] raw, int start, int end)
      throws IOException {
    byte[] old = before.raw();
    int oldStart = before.start(i);
    int oldSpace = space(old, oldStart, before.ends()[i]);
    int space = space(raw, start, end);
    return Paths.compare(
        old,
        oldSpace + 1,
        before.ends()[i] - Constants.OBJECT_ID_LENGTH - 1,
        modeBits(old, oldStart, oldSpace),
        raw,
        space + 1,
        end - Constants.OBJECT_ID_LENGTH - 1,
        modeBits(raw, start, space));
  }

  /** Where the space after the mode of the tree entry at {@code raw[start, end)} is. */
  private static int space(byte[] raw, int start, int end) throws IOException {
    for (int space = start; space < end; space++) {
      if (raw[space] == ' ') {
        return space;
      }
    }
    throw new IOException("corrupt tree object: an entry without a mode");
  }

  /** The mode written in octal at {@code raw[start, space)}. */
  private static int modeBits(byte[] raw, int start, int space) {
    int bits = 0;
    for (int i = start; i < space; i++) {
      bits = (bits << 3) + (raw[i] - '0');
    }
    return bits;
  }

  /** Where the tree entry that starts at {@code start} ends: after its name's zero byte and id. */
  private static int entryEnd(byte[] raw, int start) throws IOException {
    int zero = start;
    while (zero < raw.length && raw[zero] != 0) {
      zero++;
    }
    int end = zero + 1 + Constants.OBJECT_ID_LENGTH;
    if (end > raw.length) {
      throw new IOException("corrupt tree object: an entry runs past its end");
    }
    return end;
  }

  /** How many bytes end both arrays alike, leaving out the first {@code from} of each. */
  private static int commonSuffix(byte[] a, byte[] b, int from) {
    int limit = Math.min(a.length, b.length) - from;
    int common = 0;
    while (common < limit && a[a.length - 1 - common] == b[b.length - 1 - common]) {
      common++;
    }
    return common;
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
