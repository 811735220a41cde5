package dev.ordinal.manifest;

import dev.ordinal.manifest.ModelProperties.Property;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.util.List;
import java.util.Map;

/**
 * Gives a fabric8 model object that is kept for long, and every model object inside it, the shared
 * empty {@code List.of()} and {@code Map.of()} wherever a list or map (unknown fields included) is
 * empty. fabric8 gives each field its own, and its builders do too: an informer's slim StatefulSet
 * held about twenty. As with {@link SharedEmptyCollections}, which does the same to objects as they
 * are read, an empty list or map of such an object is immutable: set a new one, never add to it.
 */
public final class CompactModels {

  private CompactModels() {}

  /** {@code object}, changed in place, for chaining. */
  public static <T extends KubernetesResource> T compact(T object) {
    walk(object);
    return object;
  }

  private static void walk(Object bean) {
    for (Property property : ModelProperties.of(bean.getClass()).all()) {
      if (property.holds() == ModelProperties.Holds.VALUE) {
        continue;
      }
      Object value = property.read(bean);
      if (shareEmpty(bean, property, value)) {
        continue;
      }
      if (value instanceof List<?> list) {
        walkAll(list);
      } else if (value instanceof Map<?, ?> map) {
        walkAll(map.values());
      } else if (value instanceof KubernetesResource) {
        walk(value);
      }
    }
  }

  private static void walkAll(Iterable<?> values) {
    for (Object value : values) {
      if (value instanceof KubernetesResource) {
        walk(value);
      }
    }
  }

  /** One level of {@link #compact}: for each object as Jackson reads it. */
  static void shareEmpties(Object bean, List<Property> collections) {
    for (Property property : collections) {
      shareEmpty(bean, property, property.read(bean));
    }
  }

  /** Whether {@code value} was an empty list or map, now the shared one. */
  private static boolean shareEmpty(Object bean, Property property, Object value) {
    if (value instanceof List<?> list && list.isEmpty()) {
      property.write(bean, List.of());
      return true;
    }
    if (value instanceof Map<?, ?> map && map.isEmpty()) {
      property.write(bean, Map.of());
      return true;
    }
    return false;
  }
}
