package dev.ordinal.promotion;

import dev.ordinal.git.GitCredentials;
import java.util.Optional;

/**
 * An app seen as an environment Ordinal may write to: its repository, branch and path, the
 * namespace its objects go to when they name none, the credentials to push with, and the forge that
 * hosts it (if configured).
 */
public record Environment(
    String app,
    String repo,
    String branch,
    String path,
    String namespace,
    GitCredentials credentials,
    Optional<Forge> forge,
    boolean statuses,
    boolean reverts) {}
