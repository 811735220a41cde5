package dev.ordinal.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RolloutController} only while this instance holds a Lease: a fresh controller from
 * {@code controllers} each time leadership is gained, closed the moment it is lost.
 *
 * <p>Wiring in the daemon:
 *
 * <pre>{@code
 * LeaderElectedController rollouts = new LeaderElectedController(
 *     client, leaseNamespace, "ordinal-rollout", LeaderElectedController.defaultIdentity(),
 *     LeaderElectedController.Timing.DEFAULT,
 *     () -> new RolloutController(client, namespaces, specs, analysisRuns, Clock.systemUTC(), identity));
 * rollouts.start();   // returns at once
 * ...
 * rollouts.close();   // releases the lease
 * }</pre>
 *
 * The service account needs get/create/update on {@code coordination.k8s.io} leases in the lease
 * namespace.
 */
public final class LeaderElectedController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderElectedController.class);

  /** Lease timings; {@link #DEFAULT} follows client-go's defaults. */
  public record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    public static final Timing DEFAULT =
        new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
  }

  private final KubernetesClient client;
  private final String leaseNamespace;
  private final String leaseName;
  private final String identity;
  private final Timing timing;
  private final Supplier<RolloutController> controllers;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "ordinal-leader-election");
            t.setDaemon(true);
            return t;
          });
  private volatile RolloutController current;
  private volatile Runnable onStopLeading = () -> {};
  private volatile boolean leading;
  private CompletableFuture<?> election;
  private boolean closed;

  /**
   * @param controllers builds a new controller each time leadership is gained (a closed one cannot
   *     restart)
   */
  public LeaderElectedController(
      KubernetesClient client,
      String leaseNamespace,
      String leaseName,
      String identity,
      Timing timing,
      Supplier<RolloutController> controllers) {
    this.client = Objects.requireNonNull(client);
    this.leaseNamespace = Objects.requireNonNull(leaseNamespace);
    this.leaseName = Objects.requireNonNull(leaseName);
    this.identity = identity == null ? defaultIdentity() : identity;
    this.timing = timing == null ? Timing.DEFAULT : timing;
    this.controllers = Objects.requireNonNull(controllers);
  }

  /** Pod name (HOSTNAME) or host name, plus a random suffix so two processes never share one. */
  public static String defaultIdentity() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        host = "ordinal";
      }
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String identity() {
    return identity;
  }

  public boolean isLeading() {
    return leading;
  }

  /**
   * Starts campaigning; returns at once. After losing the lease the instance campaigns again (the
   * fabric8 elector ends once leadership is lost), so a former leader can take over later.
   */
  public synchronized void start() {
    if (election != null || closed) {
      return;
    }
    campaign();
  }

  private synchronized void campaign() {
    if (closed) {
      return;
    }
    LeaderElector elector =
        new LeaderElector(
            client,
            new LeaderElectionConfigBuilder()
                .withName("ordinal-rollout")
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
          synchronized (LeaderElectedController.this) {
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
          } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
          }
        });
  }

  private void startLeading() {
    log.info("{} became leader of lease {}/{}", identity, leaseNamespace, leaseName);
    RolloutController controller = controllers.get();
    synchronized (this) {
      current = controller;
      leading = true;
    }
    controller.start();
  }

  /** Runs after the controller stopped on losing the lease, e.g. to suspend analysis runs. */
  public LeaderElectedController onStopLeading(Runnable hook) {
    this.onStopLeading = hook;
    return this;
  }

  private void stopLeading() {
    RolloutController controller;
    synchronized (this) {
      leading = false;
      controller = current;
      current = null;
    }
    if (controller != null) {
      log.info(
          "{} lost lease {}/{}: stopping the rollout controller",
          identity,
          leaseNamespace,
          leaseName);
      controller.close();
      onStopLeading.run();
    }
  }

  private void newLeader(String leader) {
    log.info("leader of lease {}/{} is now {}", leaseNamespace, leaseName, leader);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (election != null) {
      election.cancel(true);
    }
    stopLeading();
    executor.shutdownNow();
  }
}
