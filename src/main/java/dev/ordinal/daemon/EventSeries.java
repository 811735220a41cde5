package dev.ordinal.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Aggregates repeated Events as client-go's event correlator does: an Event identical to one posted
 * in the last {@link #WINDOW} (same object, type, reason and message) updates that one's count and
 * last timestamp instead of adding another object to the cluster. Remembers the last {@value
 * #REMEMBERED} distinct Events, least recently posted forgotten first. Both cluster implementations
 * use it, so the demo and a real cluster aggregate alike.
 */
public final class EventSeries {
  public static final Duration WINDOW = Duration.ofMinutes(10);
  static final int REMEMBERED = 4096;

  /** What makes two Events the same. */
  public record Key(
      ClusterEvents.Involved involved, ClusterEvents.Type type, String reason, String message) {}

  /**
   * A repeat: the earlier Event's name and its count including this one.
   *
   * @param first when the earlier Event was first posted
   */
  public record Repeat(String name, int count, Instant first) {}

  private record Seen(String name, int count, Instant first, Instant last) {}

  private final Map<Key, Seen> recent =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Seen> eldest) {
          return size() > REMEMBERED;
        }
      };

  /**
   * The earlier Event this one repeats, with its count already raised, or empty when it is new
   * (then call {@link #created} once it is posted).
   */
  public synchronized Optional<Repeat> repeat(Key key, Instant now) {
    Seen seen = recent.get(key);
    if (seen == null || Duration.between(seen.last(), now).compareTo(WINDOW) > 0) {
      return Optional.empty();
    }
    Seen next = new Seen(seen.name(), seen.count() + 1, seen.first(), now);
    recent.put(key, next);
    return Optional.of(new Repeat(next.name(), next.count(), next.first()));
  }

  /** A new Event named {@code name} was posted. */
  public synchronized void created(Key key, String name, Instant now) {
    recent.put(key, new Seen(name, 1, now, now));
  }

  /** The earlier Event is gone (expired by the API server): the next one starts a new series. */
  public synchronized void forget(Key key) {
    recent.remove(key);
  }
}
