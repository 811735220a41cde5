package dev.ordinal.git;

import dev.ordinal.manifest.BlobReader;
import dev.ordinal.manifest.SourceEntry;
import dev.ordinal.manifest.SourceTree;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app's view of a Git repository: a URL, a ref and a path. {@link #poll()} fetches, resolves
 * the ref and, only when it moved, lists the manifests under the path at the new commit.
 *
 * <p>Not meant to be polled from several threads at once; {@code poll} is synchronized anyway.
 */
public final class GitSource implements PollTarget, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GitSource.class);
  private static final Pattern FULL_ID = Pattern.compile("[0-9a-fA-F]{40}");
  private static final Pattern SHORT_ID = Pattern.compile("[0-9a-fA-F]{7,39}");

  private final GitSourceConfig config;
  private final String appPath;
  private final String safeUrl;
  private final GitRepoCache.CachedRepo cached;
  private final TransportAuth auth;
  private final TreeLister lister;
  private final Clock clock;

  private final AtomicLong fetches = new AtomicLong();
  private final AtomicLong treeListings = new AtomicLong();

  private ObjectId lastGood;
  // A commit whose tree was refused: polling it again would only repeat the same error.
  private ObjectId lastRejected;
  private String lastRejectedError;
  private String lastError;
  private Instant lastAttempt = Instant.EPOCH;
  private int consecutiveFailures;

  private GitSource(
      GitSourceConfig config, String appPath, GitRepoCache.CachedRepo cached, Clock clock) {
    this.config = config;
    this.appPath = appPath;
    this.safeUrl = RepoUrl.redact(config.url());
    this.cached = cached;
    this.auth = new TransportAuth(config.url(), config.credentials());
    this.lister = new TreeLister(config.maxFileBytes());
    this.clock = clock;
  }

  /**
   * Opens (creating if needed) the bare clone for {@code config.url()} in {@code cache}. Nothing is
   * fetched until the first {@link #poll()}.
   *
   * @throws GitSourceException if the app path is absolute or contains "..", the URL's scheme is
   *     one Ordinal cannot fetch over, credentials would be sent over plain http://, or the cache
   *     directory cannot be created
   */
  public static GitSource open(GitRepoCache cache, GitSourceConfig config, Clock clock)
      throws GitSourceException {
    String appPath = TreeLister.confineAppPath(config.path());
    Optional<String> unsupported = RepoUrl.unsupportedScheme(config.url());
    if (unsupported.isPresent()) {
      throw new GitSourceException(unsupported.get());
    }
    if (config.credentials() instanceof GitCredentials.HttpsToken
        || RepoUrl.hasUserInfo(config.url())) {
      Optional<String> refused = RepoUrl.cleartextCredentials(config.url());
      if (refused.isPresent()) {
        throw new GitSourceException(refused.get());
      }
    }
    try {
      return new GitSource(config, appPath, cache.open(config.url()), clock);
    } catch (IOException e) {
      throw new GitSourceException(
          cache.dataDir()
              + ": cannot open the clone cache for "
              + RepoUrl.redact(config.url())
              + " ("
              + e.getMessage()
              + "); check that the data directory is writable",
          e);
    }
  }

  public static GitSource open(GitRepoCache cache, GitSourceConfig config)
      throws GitSourceException {
    return open(cache, config, Clock.systemUTC());
  }

  @Override
  public String repoUrl() {
    return config.url();
  }

  public GitSourceConfig config() {
    return config;
  }

  @Override
  public synchronized PollResult poll() {
    lastAttempt = clock.instant();
    try {
      ObjectId commit = resolveRef();
      if (commit.equals(lastGood)) {
        return succeeded(new PollResult.Unchanged(commit.name()));
      }
      if (commit.equals(lastRejected)) {
        return failed(lastRejectedError);
      }
      SourceTree tree;
      try {
        tree = list(commit);
      } catch (GitSourceException e) {
        lastRejected = commit;
        lastRejectedError = e.getMessage();
        throw e;
      }
      LOG.info(
          "{} {} moved to {} ({} manifest files under '{}')",
          safeUrl,
          config.ref(),
          commit.name(),
          tree.entries().size(),
          appPath);
      lastGood = commit;
      return succeeded(new PollResult.Changed(commit.name(), tree));
    } catch (GitSourceException e) {
      return failed(e.getMessage());
    } catch (IOException | RuntimeException e) {
      return failed(
          safeUrl + ": cannot read the clone cache: " + scrub(String.valueOf(e.getMessage())));
    }
  }

  /** A snapshot of the last poll's outcome. */
  public synchronized SourceStatus status() {
    return new SourceStatus(
        safeUrl,
        config.ref(),
        Optional.ofNullable(lastGood).map(ObjectId::name),
        Optional.ofNullable(lastError),
        lastAttempt,
        consecutiveFailures);
  }

  /**
   * Times the remote was asked so far: one per poll that needs the network (the ref advertisement,
   * plus the pack of the tracked ref when its commit is not cached yet); an unchanged poll costs
   * exactly one and downloads no pack.
   */
  public long fetchCount() {
    return fetches.get();
  }

  /** Tree listings made so far; an unchanged poll costs none. */
  public long treeListingCount() {
    return treeListings.get();
  }

  @Override
  public void close() {
    auth.close();
  }

  private PollResult succeeded(PollResult result) {
    lastError = null;
    consecutiveFailures = 0;
    return result;
  }

  private PollResult failed(String error) {
    lastError = error;
    consecutiveFailures++;
    LOG.warn(
        "poll of {} {} failed ({} in a row): {}",
        safeUrl,
        config.ref(),
        consecutiveFailures,
        error);
    return new PollResult.Failed(error, Optional.ofNullable(lastGood).map(ObjectId::name));
  }

  private ObjectId resolveRef() throws GitSourceException, IOException {
    String ref = config.ref().strip();
    Repository repo = cached.repository();
    if (FULL_ID.matcher(ref).matches()) {
      // A pinned commit never moves: once it is in the cache there is nothing to fetch.
      ObjectId id = ObjectId.fromString(ref.toLowerCase(Locale.ROOT));
      if (!repo.getObjectDatabase().has(id) && !localRepositoryLacks(config.url(), id)) {
        try {
          fetch(
              guard -> {
                cached.fetchCommit(config.url(), auth, timeoutSeconds(), guard, id);
                return id;
              });
        } catch (GitSourceException e) {
          // The server refuses a want it does not know: git says "not our ref", JGit "not valid".
          String why = String.valueOf(e.getMessage());
          if (!why.contains("not valid") && !why.contains("not our ref")) {
            throw e;
          }
        }
      }
      if (!repo.getObjectDatabase().has(id)) {
        throw new GitSourceException(
            "commit "
                + ref
                + " not found in "
                + safeUrl
                + "; it may not be reachable from any branch or tag");
      }
      return peelToCommit(repo, id, ref);
    }
    Ref advertised =
        fetch(
            guard -> cached.fetchRef(config.url(), auth, timeoutSeconds(), guard, candidates(ref)));
    if (advertised != null) {
      return peelToCommit(repo, advertised.getObjectId(), ref);
    }
    if (SHORT_ID.matcher(ref).matches()) {
      // Only the tracked ref is fetched, so an abbreviated id resolves only against what is cached.
      ObjectId id = resolveAbbreviated(repo, ref);
      if (id != null) {
        return id;
      }
    }
    throw new GitSourceException(
        "ref '"
            + ref
            + "' not found in "
            + safeUrl
            + "; the branch or tag may have been deleted, or the revision (apps[].revision,"
            + " or --revision) names the wrong ref"
            + (SHORT_ID.matcher(ref).matches()
                ? " (a commit id must be given in full, all 40 hex digits)"
                : "")
            + (lastGood == null ? "" : " (keeping last good commit " + lastGood.name() + ")"));
  }

  /** The full ref names {@code ref} may stand for, in the order git resolves them. */
  private static List<String> candidates(String ref) {
    if (ref.startsWith(Constants.R_REFS) || Constants.HEAD.equals(ref)) {
      // HEAD is the remote's default branch, what `git clone` checks out.
      return List.of(ref);
    }
    return List.of(Constants.R_HEADS + ref, Constants.R_TAGS + ref);
  }

  private ObjectId resolveAbbreviated(Repository repo, String ref)
      throws GitSourceException, IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      Collection<ObjectId> candidates = reader.resolve(AbbreviatedObjectId.fromString(ref));
      List<ObjectId> commits = new ArrayList<>();
      for (ObjectId candidate : candidates) {
        if (reader.open(candidate).getType() == Constants.OBJ_COMMIT) {
          commits.add(candidate);
        }
      }
      if (commits.size() > 1) {
        throw new GitSourceException(
            "ref '"
                + ref
                + "' is ambiguous in "
                + safeUrl
                + " ("
                + commits.size()
                + " commits start with it); use more digits or the full commit id");
      }
      return commits.isEmpty() ? null : commits.get(0);
    }
  }

  private ObjectId peelToCommit(Repository repo, ObjectId id, String ref)
      throws GitSourceException, IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      // parseCommit peels annotated tags down to the commit they name.
      return walk.parseCommit(id).copy();
    } catch (MissingObjectException e) {
      throw new GitSourceException(
          "ref '"
              + ref
              + "' in "
              + safeUrl
              + " points to "
              + id.name()
              + ", which the fetch did not bring; retry, or check the remote's health",
          e);
    } catch (IncorrectObjectTypeException e) {
      throw new GitSourceException(
          "ref '"
              + ref
              + "' in "
              + safeUrl
              + " does not point to a commit; track a branch, tag or commit",
          e);
    }
  }

  /**
   * Whether {@code url} is a repository on this machine that surely lacks {@code id}. JGit serves a
   * local fetch from a thread of its own, which prints the refused want's stack trace to standard
   * error before the fetch fails; asking the repository first spares that. False when in doubt (not
   * local, not readable): the fetch then decides.
   */
  static boolean localRepositoryLacks(String url, ObjectId id) {
    File dir;
    try {
      URIish uri = new URIish(url.strip());
      boolean local =
          (uri.getScheme() == null && uri.getHost() == null) || "file".equals(uri.getScheme());
      if (!local || uri.getPath() == null) {
        return false;
      }
      dir = new File(uri.getPath());
    } catch (URISyntaxException e) {
      return false;
    }
    File gitDir = RepositoryCache.FileKey.resolve(dir, FS.DETECTED);
    if (gitDir == null) {
      return false;
    }
    try (Repository source =
        new FileRepositoryBuilder().setGitDir(gitDir).setMustExist(true).build()) {
      return !source.getObjectDatabase().has(id);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** One network step of a poll; the guard bounds what it may read. */
  @FunctionalInterface
  private interface Fetch<T> {
    T run(FetchGuard guard) throws IOException, URISyntaxException;
  }

  private int timeoutSeconds() {
    return (int) Math.max(1, config.fetchTimeout().toSeconds());
  }

  private <T> T fetch(Fetch<T> step) throws GitSourceException {
    fetches.incrementAndGet();
    FetchGuard guard = new FetchGuard(config.maxFetchBytes());
    try {
      return step.run(guard);
    } catch (IOException | URISyntaxException | RuntimeException e) {
      if (guard.exceeded()) {
        throw new GitSourceException(
            "cannot fetch "
                + safeUrl
                + " "
                + config.ref()
                + ": the fetch exceeds the limit of "
                + config.maxFetchBytes()
                + " bytes (git.maxFetchSize); nothing of it was kept. Raise git.maxFetchSize in"
                + " the daemon config if the repository is really this large",
            e);
      }
      String withheld = "";
      if (guard.otherOrigin() != null) {
        boolean credentials =
            config.credentials() instanceof GitCredentials.HttpsToken
                || RepoUrl.hasUserInfo(config.url());
        withheld =
            "; the server redirected to "
                + guard.otherOrigin()
                + (credentials
                    ? ", which was sent no credentials (they go only to the configured host):"
                        + " point the app's repo at the new location"
                    : "");
      }
      throw new GitSourceException(
          "cannot fetch "
              + safeUrl
              + ": "
              + withoutUrlPrefix(scrub(describe(e)))
              + withheld
              + "; check the URL, the network, the credentials and, for SSH, known_hosts",
          e);
    }
  }

  static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause();
        cause != null && cause != cause.getCause();
        cause = cause.getCause()) {
      if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
        text.append(": ").append(cause.getMessage());
      }
    }
    return text.toString();
  }

  // JGit prefixes transport errors with the URL, which our message already names.
  private String withoutUrlPrefix(String message) {
    String prefix = safeUrl + ": ";
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  /** Removes anything secret that a transport error might echo back (URL user-info, the token). */
  private String scrub(String message) {
    return scrub(message, config.url(), safeUrl, config.credentials());
  }

  /** {@code message} with the URL redacted and the token, and any URL password, replaced. */
  static String scrub(String message, String url, String safeUrl, GitCredentials credentials) {
    String text = RepoUrl.redactText(message.replace(url, safeUrl));
    if (credentials instanceof GitCredentials.HttpsToken https && !https.token().isEmpty()) {
      text = text.replace(https.token(), "***");
    }
    try {
      String password = new org.eclipse.jgit.transport.URIish(url).getPass();
      if (password != null && !password.isEmpty()) {
        text = text.replace(password, "***");
      }
    } catch (URISyntaxException e) {
      // not a URL JGit can use; the fetch failed on it already
    }
    return text;
  }

  private SourceTree list(ObjectId commit) throws GitSourceException, IOException {
    treeListings.incrementAndGet();
    Repository repo = cached.repository();
    List<SourceEntry> entries;
    try (ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit revCommit = walk.parseCommit(commit);
      entries = lister.list(reader, revCommit.getTree(), appPath, commit.name());
    }
    return new SourceTree(commit.name(), entries, blobReader(repo, config.maxFileBytes()));
  }

  private static BlobReader blobReader(Repository repo, long maxFileBytes) {
    return entry -> {
      try (ObjectReader reader = repo.newObjectReader()) {
        return reader
            .open(ObjectId.fromString(entry.blobId()), Constants.OBJ_BLOB)
            .getCachedBytes((int) Math.min(Integer.MAX_VALUE - 8, maxFileBytes));
      }
    };
  }
}
