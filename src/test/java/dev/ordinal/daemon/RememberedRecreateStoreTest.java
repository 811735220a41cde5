package dev.ordinal.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.daemon.Recreates.RecreateStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RememberedRecreateStoreTest {

  /** A store in memory that counts its reads, as ConfigMap GETs would be counted. */
  private static final class CountingStore implements RecreateStore {
    final Map<String, String> entries = new TreeMap<>();
    int reads;

    @Override
    public Optional<String> load(String key) {
      reads++;
      return Optional.ofNullable(entries.get(key));
    }

    @Override
    public List<String> all() {
      reads++;
      return List.copyOf(entries.values());
    }

    @Override
    public void save(String key, String json) {
      entries.put(key, json);
    }

    @Override
    public void remove(String key) {
      entries.remove(key);
    }
  }

  @Test
  void anEmptyStoreIsReadOnceHoweverManyStatefulSetsAreAskedAbout() {
    CountingStore cluster = new CountingStore();
    RememberedRecreateStore store = new RememberedRecreateStore(cluster);
    for (int sync = 0; sync < 3; sync++) {
      store.all();
      for (int i = 0; i < 100; i++) {
        assertEquals(Optional.empty(), store.load("ns/db-" + i));
      }
    }
    assertEquals(1, cluster.reads);
  }

  @Test
  void aWriteIsSeenAndTheStoreIsReadAgainUntilItIsEmpty() {
    CountingStore cluster = new CountingStore();
    RememberedRecreateStore store = new RememberedRecreateStore(cluster);
    assertEquals(Optional.empty(), store.load("ns/db"));
    store.save("ns/db", "{}");
    assertEquals(Optional.of("{}"), store.load("ns/db"));
    assertEquals(Optional.empty(), store.load("ns/other"));
    store.remove("ns/db");
    assertEquals(Optional.empty(), store.load("ns/db"));
    int reads = cluster.reads;
    assertEquals(Optional.empty(), store.load("ns/db"));
    assertEquals(reads, cluster.reads, "empty again: answered from memory");
  }

  @Test
  void whatAnotherOrdinalWroteIsSeenOnceTheStoreIsToldToForget() {
    CountingStore cluster = new CountingStore();
    RememberedRecreateStore store = new RememberedRecreateStore(cluster);
    assertEquals(Optional.empty(), store.load("ns/db"));
    cluster.save("ns/db", "{\"by\":\"the other Ordinal\"}");
    assertEquals(Optional.empty(), store.load("ns/db"), "answered from memory");
    store.forget();
    assertEquals(Optional.of("{\"by\":\"the other Ordinal\"}"), store.load("ns/db"));
  }

  @Test
  void aRecordAnotherOrdinalRemovedIsForgottenAtTheNextSyncAndAnEmptyStoreIsNotReadAgain() {
    CountingStore cluster = new CountingStore();
    cluster.save("ns/db", "{\"by\":\"the other Ordinal\"}");
    RememberedRecreateStore store = new RememberedRecreateStore(cluster);
    assertEquals(1, store.all().size());
    cluster.remove("ns/db"); // the other Ordinal finished it

    store.forgetUnlessEmpty();

    assertEquals(Optional.empty(), store.load("ns/db"));
    int reads = cluster.reads;
    store.forgetUnlessEmpty();
    for (int i = 0; i < 10; i++) {
      assertEquals(Optional.empty(), store.load("ns/db-" + i));
    }
    assertEquals(reads, cluster.reads, "empty: answered from memory, sync after sync");
  }
}
