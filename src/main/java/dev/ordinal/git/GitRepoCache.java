package dev.ordinal.git;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PackLock;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;

/**
 * Bare clones under a data directory, one per repository (named by a hash of the normalised URL),
 * shared by every {@link GitSource} that tracks that repository. Thread-safe.
 */
public final class GitRepoCache implements AutoCloseable {
  private final Path dataDir;
  private final Map<String, CachedRepo> repos = new HashMap<>();

  public GitRepoCache(Path dataDir) {
    this.dataDir = dataDir;
  }

  public Path dataDir() {
    return dataDir;
  }

  synchronized CachedRepo open(String url) throws IOException {
    String name = RepoUrl.cacheDirName(url);
    CachedRepo cached = repos.get(name);
    if (cached == null) {
      cached = new CachedRepo(openOrCreate(dataDir.resolve(name)));
      repos.put(name, cached);
    }
    return cached;
  }

  private static Repository openOrCreate(Path gitDir) throws IOException {
    if (!Files.isDirectory(gitDir)) {
      // Create beside and rename so that a crash never leaves a half-made repository behind.
      Files.createDirectories(gitDir.getParent());
      Path staging = gitDir.resolveSibling(gitDir.getFileName() + ".tmp-" + UUID.randomUUID());
      try (Repository fresh = new FileRepositoryBuilder().setGitDir(staging.toFile()).build()) {
        fresh.create(true);
        // HEAD points at a name no remote uses, so every branch may be pruned or force-updated.
        RefUpdate head = fresh.updateRef(Constants.HEAD);
        head.disableRefLog();
        head.link("refs/ordinal/none");
      }
      Files.move(staging, gitDir, StandardCopyOption.ATOMIC_MOVE);
    }
    return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
  }

  @Override
  public synchronized void close() {
    repos.values().forEach(r -> r.repository().close());
    repos.clear();
  }

  /**
   * One bare clone; fetches into it are serialised because they take ref locks. Only the refs that
   * sources track are fetched, each into its own name ({@code refs/heads/main} stays {@code
   * refs/heads/main}; the remote's {@code HEAD} becomes {@value #REMOTE_HEAD}), and no tags follow.
   */
  static final class CachedRepo {
    static final String REMOTE_HEAD = "refs/ordinal/remote-HEAD";

    private final Repository repository;
    private final ReentrantLock fetchLock = new ReentrantLock();

    CachedRepo(Repository repository) {
      this.repository = repository;
    }

    Repository repository() {
      return repository;
    }

    /**
     * Asks the remote for the first of {@code candidates} (full ref names, or {@code HEAD}) it
     * advertises and fetches that ref alone, unless its object is already here.
     *
     * @return the advertised ref as fetched, or null when the remote has none of the candidates
     */
    Ref fetchRef(
        String url,
        TransportAuth auth,
        int timeoutSeconds,
        FetchGuard guard,
        List<String> candidates)
        throws IOException, URISyntaxException {
      fetchLock.lock();
      List<PackLock> packLocks = List.of();
      try (Transport transport = open(url, auth, timeoutSeconds, guard)) {
        Ref found = null;
        // One connection both lists the refs and, when the commit is new, fetches it: a second
        // one cost a changed ref another connection and ref advertisement (a TLS handshake and a
        // round trip over HTTPS).
        try (FetchConnection connection =
            transport.openFetch(List.of(), candidates.toArray(String[]::new))) {
          Map<String, Ref> advertised = connection.getRefsMap();
          for (String candidate : candidates) {
            found = advertised.get(candidate);
            if (found != null && found.getObjectId() != null) {
              break;
            }
            found = null;
          }
          if (found == null) {
            return null;
          }
          if (!repository.getObjectDatabase().has(found.getObjectId())) {
            connection.setPackLockMessage("ordinal fetch " + found.getName());
            try {
              connection.fetch(NullProgressMonitor.INSTANCE, List.of(found), Set.of());
            } finally {
              // Also when the fetch fails after writing its pack: else its .keep stays for good.
              packLocks = List.copyOf(connection.getPackLocks());
            }
          }
        }
        if (!repository.getObjectDatabase().has(found.getObjectId())) {
          throw new IOException(
              "the fetch of " + found.getName() + " did not bring " + found.getObjectId().name());
        }
        setRef(localName(found.getName()), found.getObjectId());
        return found;
      } finally {
        // A pack stays locked (a .keep file) until its objects are reachable from a ref.
        for (PackLock lock : packLocks) {
          lock.unlock();
        }
        fetchLock.unlock();
      }
    }

    /** Fetches one commit by its id (the server must allow it, as GitHub, GitLab and Gitea do). */
    void fetchCommit(
        String url, TransportAuth auth, int timeoutSeconds, FetchGuard guard, ObjectId commit)
        throws IOException, URISyntaxException {
      fetchLock.lock();
      try (Transport transport = open(url, auth, timeoutSeconds, guard)) {
        transport.fetch(NullProgressMonitor.INSTANCE, List.of(new RefSpec(commit.name())));
        if (repository.getObjectDatabase().has(commit)) {
          setRef("refs/ordinal/pinned/" + commit.name(), commit);
        }
      } finally {
        fetchLock.unlock();
      }
    }

    private Transport open(String url, TransportAuth auth, int timeoutSeconds, FetchGuard guard)
        throws IOException, URISyntaxException {
      Transport transport = Transport.open(repository, new URIish(url));
      auth.configure(transport, guard);
      transport.setTimeout(timeoutSeconds);
      transport.setTagOpt(TagOpt.NO_TAGS);
      transport.setRemoveDeletedRefs(false);
      return transport;
    }

    private static String localName(String advertised) {
      return advertised.startsWith(Constants.R_REFS) ? advertised : REMOTE_HEAD;
    }

    private void setRef(String name, ObjectId id) throws IOException {
      Ref current = repository.exactRef(name);
      if (current != null && id.equals(current.getObjectId())) {
        return;
      }
      RefUpdate update = repository.updateRef(name);
      update.setNewObjectId(id);
      update.setForceUpdate(true);
      update.disableRefLog();
      RefUpdate.Result result = update.update();
      if (result == RefUpdate.Result.LOCK_FAILURE
          || result == RefUpdate.Result.IO_FAILURE
          || result == RefUpdate.Result.REJECTED) {
        throw new IOException("cannot update " + name + " in the clone cache: " + result);
      }
    }
  }
}
