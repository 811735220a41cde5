package dev.ordinal.cli;

import dev.ordinal.kube.ClusterException;
import dev.ordinal.kube.KubeAccess;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A connection made on a thread of its own while the command reads its manifests. Connecting reads
 * the kubeconfig and loads its TLS material for the reads ({@link KubeAccess#connectForReads}), and
 * sends nothing: it costs a one-shot command about half as much CPU as loading a hundred manifests,
 * and needs nothing from them. Its failure is reported only when the command asks for the
 * connection, after the manifests, as if it had been made then.
 */
final class EarlyConnection {
  private final FutureTask<KubeAccess> connecting;

  private EarlyConnection(FutureTask<KubeAccess> connecting) {
    this.connecting = connecting;
  }

  static EarlyConnection start(ClusterOptions cluster) {
    FutureTask<KubeAccess> connecting = new FutureTask<>(cluster::connectForReads);
    Thread thread = new Thread(connecting, "ordinal-connect");
    thread.setDaemon(true); // never keeps a command that failed early from exiting
    thread.start();
    return new EarlyConnection(connecting);
  }

  /** The connection, once made; throws what connecting threw ({@link ClusterException}). */
  KubeAccess get() {
    try {
      return connecting.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("interrupted while connecting to the cluster");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * For a command that ends before it needs the cluster: closes the connection, if one was made.
   */
  void abandon() {
    KubeAccess access;
    try {
      access = get();
    } catch (RuntimeException e) {
      return; // the command failed for another reason first, and says so
    }
    access.close();
  }
}
