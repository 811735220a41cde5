package dev.ordinal.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;

/**
 * Bare clones under a data directory, one per repository (named by a hash of the normalised URL),
 * shared by every {@link GitSource} that tracks that repository. Thread-safe.
 */
public final class GitRepoCache implements AutoCloseable {
  // Forced so that rewritten history (force-push, moved tags) is followed, not rejected.
  private static final RefSpec HEADS = new RefSpec("+refs/heads/*:refs/heads/*");
  private static final RefSpec TAGS = new RefSpec("+refs/tags/*:refs/tags/*");

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

  /** One bare clone; fetches into it are serialised because they take ref locks. */
  static final class CachedRepo {
    private final Repository repository;
    private final ReentrantLock fetchLock = new ReentrantLock();

    CachedRepo(Repository repository) {
      this.repository = repository;
    }

    Repository repository() {
      return repository;
    }

    FetchResult fetch(String url, TransportAuth auth, int timeoutSeconds) throws GitAPIException {
      fetchLock.lock();
      try (Git git = Git.wrap(repository)) {
        FetchCommand fetch =
            git.fetch()
                .setRemote(url)
                .setRefSpecs(HEADS, TAGS)
                .setRemoveDeletedRefs(true)
                .setTagOpt(TagOpt.NO_TAGS)
                .setTimeout(timeoutSeconds);
        auth.apply(fetch);
        return fetch.call();
      } finally {
        fetchLock.unlock();
      }
    }
  }
}
