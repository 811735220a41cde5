package dev.ordinal.git;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A bare "remote" repository in a temp dir whose commits are written straight into the object
 * database (no working tree), so tests control file modes (symlinks) and history exactly.
 */
public final class TestRemote implements AutoCloseable {
  /** Marks a map value as a symlink with this target instead of file content. */
  public static String link(String target) {
    return "\0link:" + target;
  }

  private static final PersonIdent AUTHOR =
      new PersonIdent("Test", "test@example.com", 1_700_000_000_000L, 0);

  final Path dir;
  final Repository repo;
  private int counter;

  private TestRemote(Path dir, Repository repo) {
    this.dir = dir;
    this.repo = repo;
  }

  public static TestRemote create(Path dir) throws IOException {
    Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).build();
    repo.create(true);
    // Like a hosting service with "main" as default branch, so plain clones find HEAD.
    RefUpdate head = repo.updateRef(Constants.HEAD);
    head.disableRefLog();
    head.link(Constants.R_HEADS + "main");
    return new TestRemote(dir, repo);
  }

  /** The bare repository itself, to serve it or to read what was pushed to it. */
  public Repository repository() {
    return repo;
  }

  /** Points {@code branch} at {@code id}, as a merge on the forge would. */
  public void moveBranch(String branch, ObjectId id) throws IOException {
    setBranch(branch, id);
  }

  public String fileUrl() {
    return dir.toUri().toString();
  }

  /** Commits {@code files} (the complete tree) on top of {@code branch}'s current head. */
  public ObjectId commit(String branch, Map<String, String> files) throws IOException {
    Ref head = repo.exactRef(Constants.R_HEADS + branch);
    ObjectId parent = head == null ? null : head.getObjectId();
    ObjectId id = commitOn(parent, files);
    setBranch(branch, id);
    return id;
  }

  /**
   * Commits files given as bytes (any encoding, binary too); a value made by {@link #link} read as
   * UTF-8 is a symlink.
   */
  public ObjectId commitBytes(String branch, Map<String, byte[]> files) throws IOException {
    Map<String, String> asText = new TreeMap<>();
    files.forEach(
        (path, bytes) -> asText.put(path, new String(bytes, StandardCharsets.ISO_8859_1)));
    Ref head = repo.exactRef(Constants.R_HEADS + branch);
    ObjectId id =
        commitOn(head == null ? null : head.getObjectId(), asText, StandardCharsets.ISO_8859_1);
    setBranch(branch, id);
    return id;
  }

  /** Writes a commit with the given parent (or none) without moving any ref. */
  ObjectId commitOn(ObjectId parent, Map<String, String> files) throws IOException {
    return commitOn(parent, files, StandardCharsets.UTF_8);
  }

  private ObjectId commitOn(ObjectId parent, Map<String, String> files, Charset charset)
      throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
        DirCacheEntry entry = new DirCacheEntry(file.getKey());
        String value = file.getValue();
        boolean isLink = value.startsWith("\0link:");
        byte[] content = (isLink ? value.substring("\0link:".length()) : value).getBytes(charset);
        entry.setFileMode(isLink ? FileMode.SYMLINK : FileMode.REGULAR_FILE);
        entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, content));
        builder.add(entry);
      }
      builder.finish();
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(index.writeTree(inserter));
      if (parent != null) {
        commit.setParentId(parent);
      }
      commit.setAuthor(AUTHOR);
      commit.setCommitter(AUTHOR);
      commit.setMessage("commit " + (++counter));
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id;
    }
  }

  void setBranch(String branch, ObjectId id) throws IOException {
    RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
    update.setNewObjectId(id);
    update.setForceUpdate(true);
    RefUpdate.Result result = update.update();
    if (result != RefUpdate.Result.NEW
        && result != RefUpdate.Result.FORCED
        && result != RefUpdate.Result.FAST_FORWARD
        && result != RefUpdate.Result.NO_CHANGE) {
      throw new IOException("cannot set " + branch + ": " + result);
    }
  }

  void deleteBranch(String branch) throws IOException {
    RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
    update.setForceUpdate(true);
    RefUpdate.Result result = update.delete();
    if (result != RefUpdate.Result.FORCED) {
      throw new IOException("cannot delete " + branch + ": " + result);
    }
  }

  /** Creates an annotated tag. */
  void tag(String name, ObjectId commit) throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      TagBuilder tag = new TagBuilder();
      tag.setTag(name);
      tag.setObjectId(commit, Constants.OBJ_COMMIT);
      tag.setTagger(AUTHOR);
      tag.setMessage("tag " + name);
      ObjectId tagId = inserter.insert(tag);
      inserter.flush();
      RefUpdate update = repo.updateRef(Constants.R_TAGS + name);
      update.setNewObjectId(tagId);
      update.setForceUpdate(true);
      update.update();
    }
  }

  ObjectId blobId(String content) {
    try (ObjectInserter.Formatter formatter = new ObjectInserter.Formatter()) {
      return formatter.idFor(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public void close() {
    repo.close();
  }
}
