package dev.ordinal.git;

import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.SourceTree;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Where Ordinal writes to Git: a bare clone (no working tree) in which commits are built straight
 * in the object database and pushed to one branch. Credentials are scoped to the repository's host
 * exactly as for fetching ({@link TransportAuth}); messages never carry a token.
 */
public final class GitWorkspace implements AutoCloseable {
  private final String url;
  private final String safeUrl;
  private final GitCredentials credentials;
  private final GitRepoCache.CachedRepo cached;
  private final TransportAuth auth;
  private final long maxFetchBytes;
  private final TreeLister lister = new TreeLister(GitSourceConfig.DEFAULT_MAX_FILE_BYTES);

  /** A file Ordinal may rewrite: a regular file under the path, with its content. */
  public record File(String path, byte[] content) {}

  /** Who a commit is by, and why. */
  public record Authorship(String authorName, String authorEmail, String name, String email) {}

  private GitWorkspace(
      String url, GitCredentials credentials, GitRepoCache.CachedRepo cached, long maxFetchBytes) {
    this.url = url;
    this.safeUrl = RepoUrl.redact(url);
    this.credentials = credentials;
    this.cached = cached;
    this.auth = new TransportAuth(url, credentials);
    this.maxFetchBytes = maxFetchBytes;
  }

  /**
   * Opens the bare clone of {@code url} in {@code cache} (a cache of its own: the pollers' clones
   * are never written to).
   *
   * @throws GitSourceException when credentials would go over plain http:// or the cache cannot be
   *     created
   */
  public static GitWorkspace open(
      GitRepoCache cache, String url, GitCredentials credentials, long maxFetchBytes)
      throws GitSourceException {
    if (credentials instanceof GitCredentials.HttpsToken || RepoUrl.hasUserInfo(url)) {
      Optional<String> refused = RepoUrl.cleartextCredentials(url);
      if (refused.isPresent()) {
        throw new GitSourceException(refused.get());
      }
    }
    try {
      return new GitWorkspace(url, credentials, cache.open(url), maxFetchBytes);
    } catch (IOException e) {
      throw new GitSourceException(
          cache.dataDir() + ": cannot open a clone for " + RepoUrl.redact(url), e);
    }
  }

  /** The tip of {@code branch} on the remote, fetched; empty when the remote has no such branch. */
  public Optional<ObjectId> fetchBranch(String branch) throws GitSourceException {
    Ref ref =
        network(
            "fetch " + branch,
            guard ->
                cached.fetchRef(
                    url, auth, 30, guard, List.of(Constants.R_HEADS + stripHeads(branch))));
    return ref == null ? Optional.empty() : Optional.of(ref.getObjectId().copy());
  }

  /**
   * Makes {@code commit} available here: already cached, or reachable from {@code branch}, or
   * fetched by its id (GitHub, GitLab and Gitea allow that).
   */
  public ObjectId ensureCommit(String commit, String branch) throws GitSourceException {
    ObjectId id = ObjectId.fromString(commit);
    if (!has(id)) {
      fetchBranch(branch);
    }
    if (!has(id)) {
      network("fetch " + commit, guard -> cachedFetchCommit(guard, id));
    }
    if (!has(id)) {
      throw new GitSourceException("commit " + commit + " not found in " + safeUrl);
    }
    return id;
  }

  private boolean has(ObjectId id) throws GitSourceException {
    try {
      return cached.repository().getObjectDatabase().has(id);
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read the clone: " + e.getMessage(), e);
    }
  }

  private Void cachedFetchCommit(FetchGuard guard, ObjectId id)
      throws IOException, URISyntaxException {
    cached.fetchCommit(url, auth, 30, guard, id);
    return null;
  }

  /**
   * The manifest files under {@code path} at {@code commit} by the app path rules (confined,
   * bounded), each with its content.
   */
  public List<File> files(ObjectId commit, String path) throws GitSourceException {
    Repository repo = cached.repository();
    try (ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit revCommit = walk.parseCommit(commit);
      List<SourceEntry> entries =
          lister.list(reader, revCommit.getTree(), TreeLister.confineAppPath(path), commit.name());
      List<File> files = new ArrayList<>();
      for (SourceEntry entry : entries) {
        byte[] bytes =
            reader
                .open(ObjectId.fromString(entry.blobId()), Constants.OBJ_BLOB)
                .getCachedBytes((int) GitSourceConfig.DEFAULT_MAX_FILE_BYTES);
        files.add(new File(entry.path(), bytes));
      }
      return files;
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read " + commit.name() + ": " + e, e);
    }
  }

  /**
   * A file path from configuration, relative to an app's path, checked to stay below it (no leading
   * '/', no '..') and in canonical form.
   */
  public static String confineFilePath(String path) throws GitSourceException {
    return TreeLister.confineFilePath(path);
  }

  /** Where {@code file} (relative, see {@link #confineFilePath}) under app path {@code path} is. */
  public static String repoPath(String path, String file) throws GitSourceException {
    String app = TreeLister.confineAppPath(path);
    String relative = TreeLister.confineFilePath(file);
    return app.isEmpty() ? relative : app + "/" + relative;
  }

  /**
   * The content of the file {@code file} (relative, see {@link #confineFilePath}) under the app
   * path {@code path} at {@code commit}, empty when there is none. A symlink is followed as the
   * manifest listing follows one: inside the repository only.
   */
  public Optional<byte[]> fileAt(ObjectId commit, String path, String file)
      throws GitSourceException {
    String full = repoPath(path, file);
    try (ObjectReader reader = cached.repository().newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit revCommit = walk.parseCommit(commit);
      Optional<ObjectId> blob = lister.fileAt(reader, revCommit.getTree(), full);
      if (blob.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(reader.open(blob.get(), Constants.OBJ_BLOB).getCachedBytes());
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read " + commit.name() + ": " + e, e);
    }
  }

  /**
   * The manifests under {@code path} at {@code commit} as the loader reads them, by the same rules
   * as the app's poller; blobs are read from this clone when the loader asks.
   */
  public SourceTree sourceTree(ObjectId commit, String path) throws GitSourceException {
    Repository repo = cached.repository();
    List<SourceEntry> entries;
    try (ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit revCommit = walk.parseCommit(commit);
      entries =
          lister.list(reader, revCommit.getTree(), TreeLister.confineAppPath(path), commit.name());
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read " + commit.name() + ": " + e, e);
    }
    return new SourceTree(
        commit.name(),
        entries,
        entry -> {
          try (ObjectReader reader = repo.newObjectReader()) {
            return reader
                .open(ObjectId.fromString(entry.blobId()), Constants.OBJ_BLOB)
                .getCachedBytes((int) GitSourceConfig.DEFAULT_MAX_FILE_BYTES);
          }
        });
  }

  /** Whether {@code commit} is {@code ancestor} or descends from it (both must be here). */
  public boolean contains(ObjectId commit, ObjectId ancestor) throws GitSourceException {
    try (RevWalk walk = new RevWalk(cached.repository())) {
      return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(commit));
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read " + commit.name() + ": " + e, e);
    }
  }

  /** The tree at {@code path} in {@code commit}, empty when there is none. */
  public Optional<ObjectId> treeAt(ObjectId commit, String path) throws GitSourceException {
    String confined = TreeLister.confineAppPath(path);
    try (ObjectReader reader = cached.repository().newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit revCommit = walk.parseCommit(commit);
      if (confined.isEmpty()) {
        return Optional.of(revCommit.getTree().copy());
      }
      TreeWalk found = TreeWalk.forPath(reader, confined, revCommit.getTree());
      return found == null || found.getFileMode(0) != FileMode.TREE
          ? Optional.empty()
          : Optional.of(found.getObjectId(0).copy());
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read " + commit.name() + ": " + e, e);
    }
  }

  /** The first parent of {@code commit}, empty for a root commit. */
  public Optional<ObjectId> parentOf(ObjectId commit) throws GitSourceException {
    try (RevWalk walk = new RevWalk(cached.repository())) {
      RevCommit c = walk.parseCommit(commit);
      return c.getParentCount() == 0 ? Optional.empty() : Optional.of(c.getParent(0).copy());
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read " + commit.name() + ": " + e, e);
    }
  }

  /**
   * A new commit on {@code parent} whose tree is the parent's with {@code changed} files replaced
   * (each must be a regular file there already). Nothing is pushed.
   */
  public ObjectId commitFiles(
      ObjectId parent, Map<String, byte[]> changed, Authorship by, String message)
      throws GitSourceException {
    return write(parent, changed, false, by, message);
  }

  /**
   * A new commit on {@code parent} whose tree is the parent's with {@code files} written: a regular
   * file there is replaced, a missing one is created (its directories too). Nothing is written
   * through a symlink or over a directory. Nothing is pushed.
   */
  public ObjectId commitWrites(
      ObjectId parent, Map<String, byte[]> files, Authorship by, String message)
      throws GitSourceException {
    return write(parent, files, true, by, message);
  }

  private ObjectId write(
      ObjectId parent, Map<String, byte[]> files, boolean create, Authorship by, String message)
      throws GitSourceException {
    Map<String, byte[]> remaining = new LinkedHashMap<>(files);
    return commit(
        parent,
        by,
        message,
        (inserter, walk, builder) -> {
          String path = walk.getPathString();
          for (String wanted : files.keySet()) {
            if (wanted.startsWith(path + "/")) {
              throw new GitSourceException(
                  path + ": not a directory, so " + wanted + " cannot be written");
            }
            if (path.startsWith(wanted + "/")) {
              throw new GitSourceException(wanted + ": a directory; Ordinal writes only files");
            }
          }
          byte[] content = remaining.remove(path);
          if (content == null) {
            return false;
          }
          if (walk.getFileMode(0) != FileMode.REGULAR_FILE
              && walk.getFileMode(0) != FileMode.EXECUTABLE_FILE) {
            throw new GitSourceException(path + ": not a regular file; Ordinal writes only files");
          }
          builder.add(
              entry(path, walk.getFileMode(0), inserter.insert(Constants.OBJ_BLOB, content)));
          return true;
        },
        () -> {
          if (!create && !remaining.isEmpty()) {
            throw new GitSourceException(
                remaining.keySet() + ": not found at " + parent.name() + " in " + safeUrl);
          }
        },
        (builder, reader, inserter) -> {
          for (Map.Entry<String, byte[]> created : remaining.entrySet()) {
            builder.add(
                entry(
                    created.getKey(),
                    FileMode.REGULAR_FILE,
                    inserter.insert(Constants.OBJ_BLOB, created.getValue())));
          }
        });
  }

  private static DirCacheEntry entry(String path, FileMode mode, ObjectId blob) {
    DirCacheEntry entry = new DirCacheEntry(path);
    entry.setFileMode(mode);
    entry.setObjectId(blob);
    return entry;
  }

  /**
   * A new commit on {@code parent} whose {@code path} directory is replaced by {@code subtree}, the
   * rest of the tree unchanged: how a revert touches one app's path only. A null {@code subtree}
   * removes the directory.
   */
  public ObjectId commitSubtree(
      ObjectId parent, String path, ObjectId subtree, Authorship by, String message)
      throws GitSourceException {
    String prefix = TreeLister.confineAppPath(path);
    if (prefix.isEmpty()) {
      throw new GitSourceException("a revert needs an app path below the repository root");
    }
    return commit(
        parent,
        by,
        message,
        (inserter, walk, builder) -> walk.getPathString().startsWith(prefix + "/"),
        () -> {},
        (builder, reader, inserter) -> {
          if (subtree != null) {
            builder.addTree(prefix.getBytes(StandardCharsets.UTF_8), 0, reader, subtree);
          }
        });
  }

  @FunctionalInterface
  private interface Replace {
    /** Adds its own entry (or none) for the file at the walk and returns true, or returns false. */
    boolean replace(ObjectInserter inserter, TreeWalk walk, DirCacheBuilder builder)
        throws IOException, GitSourceException;
  }

  @FunctionalInterface
  private interface Check {
    void check() throws GitSourceException;
  }

  @FunctionalInterface
  private interface Extra {
    void add(DirCacheBuilder builder, ObjectReader reader, ObjectInserter inserter)
        throws IOException;
  }

  private ObjectId commit(
      ObjectId parent, Authorship by, String message, Replace replace, Check after)
      throws GitSourceException {
    return commit(parent, by, message, replace, after, (b, r, i) -> {});
  }

  private ObjectId commit(
      ObjectId parent, Authorship by, String message, Replace replace, Check after, Extra extra)
      throws GitSourceException {
    Repository repo = cached.repository();
    try (ObjectInserter inserter = repo.newObjectInserter();
        ObjectReader reader = inserter.newReader();
        RevWalk revWalk = new RevWalk(reader);
        TreeWalk walk = new TreeWalk(reader)) {
      RevCommit parentCommit = revWalk.parseCommit(parent);
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      walk.addTree(parentCommit.getTree());
      walk.setRecursive(true);
      while (walk.next()) {
        if (!replace.replace(inserter, walk, builder)) {
          DirCacheEntry keep = new DirCacheEntry(walk.getPathString());
          keep.setFileMode(walk.getFileMode(0));
          keep.setObjectId(walk.getObjectId(0));
          builder.add(keep);
        }
      }
      after.check();
      extra.add(builder, reader, inserter);
      builder.finish();
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(index.writeTree(inserter));
      commit.setParentId(parent);
      commit.setAuthor(new PersonIdent(by.authorName(), by.authorEmail()));
      commit.setCommitter(new PersonIdent(by.name(), by.email()));
      commit.setMessage(message);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id;
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot write a commit: " + e.getMessage(), e);
    }
  }

  /** Whether two commits have the same tree (a commit that would change nothing). */
  public boolean sameTree(ObjectId a, ObjectId b) throws GitSourceException {
    try (RevWalk walk = new RevWalk(cached.repository())) {
      return walk.parseCommit(a).getTree().equals(walk.parseCommit(b).getTree());
    } catch (IOException e) {
      throw new GitSourceException(safeUrl + ": cannot read commits: " + e.getMessage(), e);
    }
  }

  /** The outcome of a push. */
  public enum Pushed {
    /** The branch now points at the commit (or already did). */
    DONE,
    /** The branch moved since {@code expectedOld}: fetch, rebuild, try again. */
    REJECTED
  }

  /**
   * Pushes {@code commit} to {@code branch}. With {@code expectedOld} the push succeeds only if the
   * branch still points there (null: the branch must not exist); with {@code force} it replaces
   * whatever the branch holds (Ordinal's own promotion branches).
   */
  public Pushed push(ObjectId commit, String branch, ObjectId expectedOld, boolean force)
      throws GitSourceException {
    String ref = Constants.R_HEADS + stripHeads(branch);
    Repository repo = cached.repository();
    PushResult result =
        network(
            "push " + branch,
            guard -> {
              try (Transport transport = Transport.open(repo, new URIish(url))) {
                auth.configure(transport, guard);
                transport.setTimeout(30);
                RemoteRefUpdate update =
                    new RemoteRefUpdate(
                        repo,
                        commit.name(),
                        ref,
                        force,
                        null,
                        force ? null : (expectedOld == null ? ObjectId.zeroId() : expectedOld));
                return transport.push(NullProgressMonitor.INSTANCE, List.of(update));
              }
            });
    RemoteRefUpdate update = result.getRemoteUpdate(ref);
    return switch (update.getStatus()) {
      case OK, UP_TO_DATE -> Pushed.DONE;
      case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> Pushed.REJECTED;
      default ->
          throw new GitSourceException(
              "cannot push to "
                  + branch
                  + " in "
                  + safeUrl
                  + ": "
                  + update.getStatus()
                  + (update.getMessage() == null
                      ? ""
                      : " (" + LogSafe.text(update.getMessage()) + ")")
                  + "; check that the credentials may push to this branch");
    };
  }

  @FunctionalInterface
  private interface Step<T> {
    T run(FetchGuard guard) throws IOException, URISyntaxException;
  }

  private <T> T network(String what, Step<T> step) throws GitSourceException {
    FetchGuard guard = new FetchGuard(maxFetchBytes);
    try {
      return step.run(guard);
    } catch (IOException | URISyntaxException | RuntimeException e) {
      throw new GitSourceException(
          "cannot "
              + what
              + " at "
              + safeUrl
              + ": "
              + GitSource.scrub(GitSource.describe(e), url, safeUrl, credentials)
              + (guard.exceeded() ? " (over git.maxFetchSize)" : ""),
          e);
    }
  }

  private static String stripHeads(String branch) {
    return branch.startsWith(Constants.R_HEADS)
        ? branch.substring(Constants.R_HEADS.length())
        : branch;
  }

  @Override
  public void close() {
    auth.close();
  }
}
