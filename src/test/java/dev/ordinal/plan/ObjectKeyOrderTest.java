package dev.ordinal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The apply order written out in {@link ObjectKey#compareTo} is the order it documents: by kind as
 * kubectl applies them (kinds it does not know last, by name), then group, namespace and name.
 */
class ObjectKeyOrderTest {
  private static final List<String> KINDS =
      List.of("Namespace", "ConfigMap", "StatefulSet", "Deployment", "CronJob", "Widget");
  private static final List<String> GROUPS = List.of("", "apps", "batch", "example.com");
  private static final List<String> NAMESPACES = List.of("", "prod", "shop");
  private static final List<String> NAMES = List.of("a", "db", "db-10", "db-2");

  /** The documented order, composed from comparators as a reader would state it. */
  private static final Comparator<ObjectKey> DOCUMENTED =
      Comparator.comparingInt(ObjectKey::applyWave)
          .thenComparing(ObjectKey::kind)
          .thenComparing(ObjectKey::group)
          .thenComparing(ObjectKey::namespace)
          .thenComparing(ObjectKey::name);

  @Test
  void everyPairOfKeysComparesAsDocumented() {
    List<ObjectKey> keys = new ArrayList<>();
    for (String kind : KINDS) {
      for (String group : GROUPS) {
        for (String namespace : NAMESPACES) {
          for (String name : NAMES) {
            keys.add(new ObjectKey(group, kind, namespace, name));
          }
        }
      }
    }
    int compared = 0;
    for (ObjectKey a : keys) {
      for (ObjectKey b : keys) {
        assertEquals(
            Integer.signum(DOCUMENTED.compare(a, b)),
            Integer.signum(a.compareTo(b)),
            a + " against " + b);
        compared++;
      }
    }
    assertEquals(keys.size() * keys.size(), compared);
  }

  @Test
  void unknownKindsComeLastInNameOrder() {
    List<ObjectKey> keys =
        new ArrayList<>(
            List.of(
                new ObjectKey("example.com", "Widget", "prod", "w"),
                new ObjectKey("apps", "Deployment", "prod", "web"),
                new ObjectKey("apps", "StatefulSet", "prod", "db"),
                new ObjectKey("", "Namespace", "", "prod")));
    keys.sort(null);
    assertEquals(
        List.of("Namespace", "StatefulSet", "Deployment", "Widget"),
        keys.stream().map(ObjectKey::kind).toList());
  }
}
