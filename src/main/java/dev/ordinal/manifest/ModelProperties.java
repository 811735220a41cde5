package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The properties of a fabric8 model class as Jackson reads and writes them, and its unknown-field
 * map, each with a public getter and setter: what copies and compaction of model objects go
 * through, so that a field a later fabric8 adds is handled too.
 */
final class ModelProperties {

  /** What a property holds, as its declared type says. */
  enum Holds {
    /** A list or map: the unknown-field map, labels, containers. */
    COLLECTION,
    /** Another model object. */
    MODEL,
    /** Anything else: strings, numbers, quantities. */
    VALUE
  }

  /**
   * A property's public getter and setter, called by reflection rather than through method handles:
   * Java 17 writes a class of bytecode for each method handle called more than 127 times, and a
   * one-shot command that compacts a hundred objects called about 140 of them that often, a class
   * each (bin/ordinal keeps reflection native; the daemon's reflection writes one class per method,
   * as the handles did).
   */
  record Property(String name, Holds holds, Method get, Method set) {
    Object read(Object bean) {
      try {
        return get.invoke(bean);
      } catch (InvocationTargetException e) {
        throw unchecked(e);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    void write(Object bean, Object value) {
      try {
        set.invoke(bean, value);
      } catch (InvocationTargetException e) {
        throw unchecked(e);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    // Public getters and setters of plain fields throw nothing checked.
    private static RuntimeException unchecked(InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        return runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      return new IllegalStateException(
          "a model property's getter or setter threw a checked exception", e.getCause());
    }
  }

  /**
   * The properties of one class; {@code unpaired} names those without a public getter and setter,
   * which are not in {@code all}.
   */
  record Of(List<Property> all, List<Property> collections, List<String> unpaired) {}

  private static final Map<Class<?>, Of> KNOWN = new ConcurrentHashMap<>();

  private ModelProperties() {}

  static Of of(Class<?> type) {
    return KNOWN.computeIfAbsent(type, ModelProperties::introspect);
  }

  private static Of introspect(Class<?> type) {
    ObjectMapper mapper = KubernetesObjects.MAPPER;
    BeanDescription description =
        mapper.getSerializationConfig().introspect(mapper.constructType(type));
    List<Property> all = new ArrayList<>();
    List<String> unpaired = new ArrayList<>();
    for (BeanPropertyDefinition property : description.findProperties()) {
      if (!property.hasGetter() || !property.hasSetter()) {
        unpaired.add(property.getName());
        continue;
      }
      Class<?> declared = property.getRawPrimaryType();
      Holds holds =
          List.class.isAssignableFrom(declared) || Map.class.isAssignableFrom(declared)
              ? Holds.COLLECTION
              : KubernetesResource.class.isAssignableFrom(declared) ? Holds.MODEL : Holds.VALUE;
      Method get = property.getGetter().getAnnotated();
      Method set = property.getSetter().getAnnotated();
      if (accessible(get) && accessible(set)) {
        all.add(new Property(property.getName(), holds, get, set));
      } else {
        unpaired.add(property.getName());
      }
    }
    try {
      // fabric8 keeps the fields its class does not know under this pair (Jackson's any-getter).
      Method get = type.getMethod("getAdditionalProperties");
      Method set = type.getMethod("setAdditionalProperties", Map.class);
      if (get.getReturnType() == Map.class && accessible(get) && accessible(set)) {
        all.add(new Property("additionalProperties", Holds.COLLECTION, get, set));
      }
    } catch (NoSuchMethodException e) {
      // A class without unknown fields.
    }
    return new Of(
        List.copyOf(all),
        all.stream().filter(p -> p.holds() == Holds.COLLECTION).toList(),
        List.copyOf(unpaired));
  }

  /** Whether the method is public in a public class, as publicLookup required of the handles. */
  private static boolean accessible(Method method) {
    return Modifier.isPublic(method.getModifiers())
        && Modifier.isPublic(method.getDeclaringClass().getModifiers());
  }
}
