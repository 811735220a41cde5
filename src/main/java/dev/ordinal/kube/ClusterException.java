package dev.ordinal.kube;

/** A cluster request that failed, with a message for a person: where, what, what to try. */
public final class ClusterException extends RuntimeException {
  public ClusterException(String message) {
    super(message);
  }
}
