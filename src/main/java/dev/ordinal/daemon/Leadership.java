package dev.ordinal.daemon;

/**
 * The port for leader election: one instance of Ordinal at a time writes to the cluster. The
 * callbacks run on the elector's thread; {@code onStop} runs when the lease is lost or released.
 */
public interface Leadership extends AutoCloseable {
  /** Starts campaigning; returns at once. After losing the lease, campaigns again. */
  void start(Runnable onStart, Runnable onStop);

  boolean isLeading();

  /** This instance's name in the lease. */
  String identity();

  /** Stops campaigning and releases the lease if held. */
  @Override
  void close();
}
