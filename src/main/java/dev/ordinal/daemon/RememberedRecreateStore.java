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
 * <p>This instance writes the store through this object, and each write forgets what was
 * remembered. Other instances write it too: a previous leader, or, sharded, the holders of other
 * shards. So a sync that gains the right to write for its app forgets it as well ({@link #forget}):
 * the app's previous writer may have recorded a recreate since.
 */
final class RememberedRecreateStore implements RecreateStore {
  private final RecreateStore store;
  private List<String> remembered;

  RememberedRecreateStore(RecreateStore store) {
    this.store = store;
  }

  /** Reads the store again at the next question. */
  synchronized void forget() {
    remembered = null;
  }

  /**
   * Reads the store again at the next question if it held some recreate when last read: another
   * Ordinal may have finished it since, and while it seems recorded every question is a read.
   */
  synchronized void forgetUnlessEmpty() {
    if (remembered != null && !remembered.isEmpty()) {
      remembered = null;
    }
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
