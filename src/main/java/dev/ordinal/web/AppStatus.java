package dev.ordinal.web;

import dev.ordinal.git.SourceStatus;
import java.time.Instant;
import java.util.Optional;

/** What {@code /status} shows for one app; never includes credentials. */
public record AppStatus(
    String app,
    SourceStatus git,
    Optional<String> lastAppliedRevision,
    Optional<String> lastSyncResult,
    Optional<String> lastSyncDetail,
    Optional<Instant> lastSyncAt) {}
