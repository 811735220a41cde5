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
 * webhookEndpoint.serve(WebhookHandler.withSecret(secret, poller::trigger));  // web package
 * }</pre>
 *
 * <p>Guarantees: an unchanged ref costs one fetch and no tree walk; listing never reads file
 * contents (the {@link dev.ordinal.manifest.BlobReader} does, lazily); app paths and symlinks
 * cannot leave the repository; files over the size limit are refused by their object header size;
 * only the tracked ref is fetched, within a byte limit; credentials go only to the configured
 * origin and never over plain http, and never appear in {@code toString()}, logs or error messages
 * (URLs are redacted through JGit's {@code URIish}).
 */
package dev.ordinal.git;
