package dev.ordinal.kube;

import dev.ordinal.daemon.Leadership;
import dev.ordinal.shard.LeaseTiming;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a {@code coordination.k8s.io} Lease with fabric8's {@link LeaderElector}. The
 * service account needs get, create and patch on leases in the lease's namespace (fabric8 renews
 * with a merge patch that carries the resourceVersion it read).
 */
final class LeaseLeadership implements Leadership {
  private static final Logger log = LoggerFactory.getLogger(LeaseLeadership.class);

  private final KubernetesClient client;
  private final String leaseNamespace;
  private final String leaseName;
  private final String identity;
  private final LeaseTiming timing;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "ordinal-leader-election");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean leading;
  private Runnable onStart = () -> {};
  private Runnable onStop = () -> {};
  private CompletableFuture<?> election;
  private boolean closed;

  LeaseLeadership(
      KubernetesClient client,
      String leaseNamespace,
      String leaseName,
      String identity,
      LeaseTiming timing) {
    this.client = Objects.requireNonNull(client);
    this.leaseNamespace = Objects.requireNonNull(leaseNamespace);
    this.leaseName = Objects.requireNonNull(leaseName);
    this.identity = Objects.requireNonNull(identity);
    this.timing = timing == null ? LeaseTiming.DEFAULT : timing;
  }

  @Override
  public String identity() {
    return identity;
  }

  @Override
  public boolean isLeading() {
    return leading;
  }

  @Override
  public synchronized void start(Runnable onStart, Runnable onStop) {
    if (election != null || closed) {
      return;
    }
    this.onStart = onStart;
    this.onStop = onStop;
    campaign();
  }

  /**
   * fabric8's elector ends once leadership is lost; campaigning again lets a former leader take
   * over later.
   */
  private synchronized void campaign() {
    if (closed) {
      return;
    }
    LeaderElector elector =
        new LeaderElector(
            client,
            new LeaderElectionConfigBuilder()
                .withName("ordinal")
                .withLock(new LeaseLock(leaseNamespace, leaseName, identity))
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(
                    new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader))
                .build(),
            executor);
    CompletableFuture<?> started = elector.start();
    election = started;
    started.whenComplete(
        (ok, error) -> {
          synchronized (LeaseLeadership.this) {
            if (closed || election != started) {
              return;
            }
          }
          log.info(
              "{}: election for lease {}/{} ended; campaigning again",
              identity,
              leaseNamespace,
              leaseName);
          try {
            executor.execute(
                () -> {
                  try {
                    Thread.sleep(timing.retryPeriod().toMillis());
                  } catch (InterruptedException e) {
                    return;
                  }
                  campaign();
                });
          } catch (RejectedExecutionException e) {
            // closed meanwhile
          }
        });
  }

  private void startLeading() {
    log.info("{} became leader of lease {}/{}", identity, leaseNamespace, leaseName);
    leading = true;
    onStart.run();
  }

  private void stopLeading() {
    boolean was;
    synchronized (this) {
      was = leading;
      leading = false;
    }
    if (was) {
      log.info("{} lost lease {}/{}", identity, leaseNamespace, leaseName);
      onStop.run();
    }
  }

  private void newLeader(String leader) {
    log.info("leader of lease {}/{} is now {}", leaseNamespace, leaseName, leader);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (election != null) {
        election.cancel(true);
      }
    }
    stopLeading();
    executor.shutdownNow();
  }
}
