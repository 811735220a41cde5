package dev.ordinal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ordinal.daemon.LiveObjects;
import dev.ordinal.plan.ObjectKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RememberedLookupTest {
  /** A cluster holding "a" and "c", that records which objects it was asked to look up. */
  static final class Cluster implements LiveObjects {
    final List<String> asked = new ArrayList<>();

    @Override
    public Map<ObjectKey, Live> lookup(
        Collection<? extends HasMetadata> desired, String defaultNamespace) {
      Map<ObjectKey, Live> found = new LinkedHashMap<>();
      for (HasMetadata object : desired) {
        asked.add(object.getMetadata().getName());
        if (!object.getMetadata().getName().equals("b")) {
          ObjectKey key = ObjectKey.of(object, defaultNamespace);
          found.put(key, new Live(key, "v1", object, true));
        }
      }
      return found;
    }

    @Override
    public List<Live> inventory(String app, String namespace, Map<String, Set<String>> kinds) {
      return List.of();
    }

    @Override
    public Optional<HasMetadata> full(Live live) {
      return Optional.of(live.object());
    }

    @Override
    public HasMetadata apply(HasMetadata desired) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delete(Live live) {
      throw new UnsupportedOperationException();
    }

    @Override
    public HoldResult hold(ObjectKey statefulSet, Integer seen, int partition, String holdUntil) {
      throw new UnsupportedOperationException();
    }
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  private static Set<ObjectKey> keys(List<? extends HasMetadata> objects) {
    Set<ObjectKey> keys = new HashSet<>();
    objects.forEach(o -> keys.add(ObjectKey.of(o, "shop")));
    return keys;
  }

  @Test
  void objectsLookedUpBeforeAreAnsweredFromTheFirstAnswerAndOnlyTheOthersAreAskedFor() {
    Cluster cluster = new Cluster();
    List<ConfigMap> first = List.of(configMap("a"), configMap("b"));
    Map<ObjectKey, LiveObjects.Live> found = cluster.lookup(first, "shop");
    cluster.asked.clear();
    RememberedLookup remembered = new RememberedLookup(cluster, keys(first), found);

    Map<ObjectKey, LiveObjects.Live> again =
        remembered.lookup(List.of(configMap("c"), configMap("b"), configMap("a")), "shop");

    assertEquals(List.of("c"), cluster.asked, "only the object not looked up before");
    // in the order asked; b was not found the first time and is not asked for again
    assertEquals(
        List.of("c", "a"), again.keySet().stream().map(ObjectKey::name).toList(), again.toString());
    assertEquals(
        found.get(ObjectKey.of(configMap("a"), "shop")),
        again.get(ObjectKey.of(configMap("a"), "shop")));
  }
}
