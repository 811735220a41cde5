package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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

  record Property(String name, Holds holds, MethodHandle get, MethodHandle set) {
    Object read(Object bean) {
      try {
        return get.invoke(bean);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException(PLAIN, e);
      }
    }

    void write(Object bean, Object value) {
      try {
        set.invoke(bean, value);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException(PLAIN, e);
      }
    }
  }

  // Public getters and setters of plain fields throw nothing checked.
  private static final String PLAIN =
      "a model property's getter or setter threw a checked exception";

  /**
   * The properties of one class; {@code unpaired} names those without a public getter and setter,
   * which are not in {@code all}.
   */
  record Of(List<Property> all, List<Property> collections, List<String> unpaired) {}

  private static final MethodType GET = MethodType.methodType(Object.class, Object.class);
  private static final MethodType SET =
      MethodType.methodType(void.class, Object.class, Object.class);
  private static final Map<Class<?>, Of> KNOWN = new ConcurrentHashMap<>();

  private ModelProperties() {}

  static Of of(Class<?> type) {
    return KNOWN.computeIfAbsent(type, ModelProperties::introspect);
  }

  private static Of introspect(Class<?> type) {
    ObjectMapper mapper = KubernetesObjects.MAPPER;
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
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
      try {
        all.add(
            new Property(
                property.getName(),
                holds,
                lookup.unreflect(property.getGetter().getAnnotated()).asType(GET),
                lookup.unreflect(property.getSetter().getAnnotated()).asType(SET)));
      } catch (IllegalAccessException e) {
        unpaired.add(property.getName());
      }
    }
    try {
      // fabric8 keeps the fields its class does not know under this pair (Jackson's any-getter).
      all.add(
          new Property(
              "additionalProperties",
              Holds.COLLECTION,
              lookup
                  .findVirtual(type, "getAdditionalProperties", MethodType.methodType(Map.class))
                  .asType(GET),
              lookup
                  .findVirtual(
                      type, "setAdditionalProperties", MethodType.methodType(void.class, Map.class))
                  .asType(SET)));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      // A class without unknown fields.
    }
    return new Of(
        List.copyOf(all),
        all.stream().filter(p -> p.holds() == Holds.COLLECTION).toList(),
        List.copyOf(unpaired));
  }
}
