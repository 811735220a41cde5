package dev.ordinal.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/**
 * Reads asked once more when fabric8's HTTP client failed them on a connection that closed under
 * them.
 *
 * <p>Why: fabric8's Vert.x client can hand a request a pooled connection that is closing. It does
 * so after it cancels an answer it means to ask again (a 401, retried with the token it renews,
 * cancels the refused answer's body, and that closes the connection), and when the server has ended
 * an idle connection. Vert.x then fails the request with its {@code HttpClosedException}, and
 * fabric8's own retry ({@code requestRetryBackoffLimit}) covers only {@code IOException}s
 * (fabric8io/kubernetes-client#7450). A read can be asked again without harm; a write cannot, and
 * is left to the caller's next pass, which re-reads first.
 */
final class ClosedConnections {
  /**
   * Vert.x's exception, matched by name: Vert.x is a runtime dependency of fabric8's client, not a
   * compile-time one of Ordinal.
   */
  static final String VERTX_CLOSED = "io.vertx.core.http.HttpClosedException";

  private ClosedConnections() {}

  /** Whether a connection closed under the failed request, anywhere in the failure's causes. */
  static boolean closedUnder(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getClass().getName().equals(VERTX_CLOSED)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs a read, and once more if a connection closed under it; the second failure, or any other,
   * is thrown as it came. The second attempt gets another connection: Vert.x drops a closed one
   * from its pool.
   */
  static <T> T read(Supplier<T> read) {
    try {
      return read.get();
    } catch (KubernetesClientException e) {
      if (!closedUnder(e)) {
        throw e;
      }
    }
    return read.get();
  }
}
