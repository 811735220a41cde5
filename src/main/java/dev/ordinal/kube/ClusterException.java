package dev.ordinal.kube;

import dev.ordinal.manifest.Escapes;

/**
 * A cluster request that failed, with a message for a person: where, what, what to try. It reaches
 * a terminal, and it carries what came from files and servers (a kubeconfig's server address, an
 * API server's answer, a URL Java refused with the offending character in it), so control
 * characters are written out here, once for every caller.
 */
public final class ClusterException extends RuntimeException {
  public ClusterException(String message) {
    super(Escapes.controls(message));
  }
}
