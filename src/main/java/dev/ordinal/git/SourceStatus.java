package dev.ordinal.git;

import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link GitSource} last saw, for status pages and metrics.
 *
 * @param url the tracked URL with any user-info removed
 * @param lastGoodCommit the last commit whose tree was listed successfully; stays in force while
 *     the remote is failing
 * @param lastError the error of the most recent poll, empty once a poll succeeds
 * @param lastAttempt when the most recent poll started ({@link Instant#EPOCH} before the first)
 * @param consecutiveFailures failed polls since the last success
 */
public record SourceStatus(
    String url,
    String ref,
    Optional<String> lastGoodCommit,
    Optional<String> lastError,
    Instant lastAttempt,
    int consecutiveFailures) {}
