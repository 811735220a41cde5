package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One level of a fabric8 model object copied: a new object of its class whose properties (and
 * unknown fields) are the original's own values, not copies of them. The properties are the ones
 * Jackson reads and writes, so a field a later fabric8 adds is copied too, and a copy serialises
 * exactly as its original.
 */
final class ShallowCopies {

  private static final MethodType GET = MethodType.methodType(Object.class, Object.class);
  private static final MethodType SET =
      MethodType.methodType(void.class, Object.class, Object.class);

  private final ObjectMapper mapper;
  private final Map<Class<?>, Copier> copiers = new ConcurrentHashMap<>();

  ShallowCopies(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** A new {@code original.getClass()} holding {@code original}'s property values. */
  <T> T of(T original) {
    @SuppressWarnings("unchecked")
    T copy = (T) copiers.computeIfAbsent(original.getClass(), this::copier).copy(original);
    return copy;
  }

  private record Property(MethodHandle get, MethodHandle set) {}

  private record Copier(MethodHandle create, List<Property> properties) {
    Object copy(Object original) {
      try {
        Object copy = create.invoke();
        for (Property property : properties) {
          property.set().invoke(copy, property.get().invoke(original));
        }
        return copy;
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        // Public constructors, getters and setters of plain fields: nothing checked is thrown.
        throw new IllegalStateException(e);
      }
    }
  }

  private Copier copier(Class<?> type) {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    try {
      MethodHandle create =
          lookup
              .findConstructor(type, MethodType.methodType(void.class))
              .asType(MethodType.methodType(Object.class));
      BeanDescription description =
          mapper.getSerializationConfig().introspect(mapper.constructType(type));
      List<Property> properties = new ArrayList<>();
      for (BeanPropertyDefinition property : description.findProperties()) {
        if (!property.hasGetter() || !property.hasSetter()) {
          // A copy that dropped a property would apply an object without it.
          throw new IllegalArgumentException(
              type.getName() + "." + property.getName() + " has no public getter and setter pair");
        }
        properties.add(
            new Property(
                lookup.unreflect(property.getGetter().getAnnotated()).asType(GET),
                lookup.unreflect(property.getSetter().getAnnotated()).asType(SET)));
      }
      try {
        // fabric8 keeps the fields its class does not know under this pair (Jackson's any-getter).
        properties.add(
            new Property(
                lookup
                    .findVirtual(type, "getAdditionalProperties", MethodType.methodType(Map.class))
                    .asType(GET),
                lookup
                    .findVirtual(
                        type,
                        "setAdditionalProperties",
                        MethodType.methodType(void.class, Map.class))
                    .asType(SET)));
      } catch (NoSuchMethodException e) {
        // A class without unknown fields.
      }
      return new Copier(create, List.copyOf(properties));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalArgumentException(type.getName() + " cannot be copied one level deep", e);
    }
  }
}
