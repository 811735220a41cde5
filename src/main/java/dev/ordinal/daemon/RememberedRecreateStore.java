package dev.ordinal.daemon;

import dev.ordinal.daemon.Recreates.RecreateStore;
import java.util.List;
import java.util.Optional;

/**
 * The recreate store as every sync asks it: "is a recreate of this StatefulSet in flight?", once
 * per StatefulSet. Read from the cluster each time, that would be one ConfigMap GET per StatefulSet
 * per sync, an idle resync no longer free. Nearly always no recreate is in flight, so this
 * remembers the whole store after one read and answers from memory while it is empty; a key is read
 * from the cluster only while some recreate is recorded.
 *
 * <p>Only the leader writes the store, through this object, and each write forgets what was
 * remembered. An instance that becomes leader forgets it too ({@link #leading}): the previous
 * leader may have written since.
 */
final class RememberedRecreateStore implements RecreateStore {
  private final RecreateStore store;
  private List<String> remembered;
  private boolean leader;

  RememberedRecreateStore(RecreateStore store) {
    this.store = store;
  }

  /** Told before each sync whether this instance may write; becoming leader forgets. */
  synchronized void leading(boolean now) {
    if (now && !leader) {
      remembered = null;
    }
    leader = now;
  }

  @Override
  public synchronized Optional<String> load(String key) {
    return all().isEmpty() ? Optional.empty() : store.load(key);
  }

  @Override
  public synchronized List<String> all() {
    if (remembered == null) {
      remembered = store.all();
    }
    return remembered;
  }

  @Override
  public synchronized void save(String key, String json) {
    remembered = null;
    store.save(key, json);
  }

  @Override
  public synchronized void remove(String key) {
    remembered = null;
    store.remove(key);
  }
}
