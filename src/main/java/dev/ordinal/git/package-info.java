/**
 * Git sources for Ordinal: polling repositories, listing manifests, and push webhooks.
 *
 * <p>Wiring, as the daemon does it:
 *
 * <pre>{@code
 * GitRepoCache cache = new GitRepoCache(dataDir.resolve("git"));
 * GitCredentials credentials = GitCredentials.fromEnvironment(System.getenv());
 * GitSource source = GitSource.open(cache,
 *     GitSourceConfig.of(url, ref, path).withCredentials(credentials));
 * GitPoller poller = GitPoller.withDaemonThreads(4, (target, change) -> reconcile(change.tree()));
 * poller.add(source);
 * httpServer.createContext("/webhook", WebhookHandler.withSecret(secret, poller::trigger));
 * }</pre>
 *
 * <p>Guarantees: an unchanged ref costs one fetch and no tree walk; listing never reads file
 * contents (the {@link dev.ordinal.manifest.BlobReader} does, lazily); app paths and symlinks
 * cannot leave the repository; files over the size limit are refused by their object header size;
 * credentials never appear in {@code toString()}, logs or error messages.
 */
package dev.ordinal.git;
