package dev.ordinal.manifest;

import dev.ordinal.manifest.ModelProperties.Property;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One level of a fabric8 model object copied: a new object of its class whose properties (and
 * unknown fields) are the original's own values, not copies of them. The properties are the ones
 * Jackson reads and writes ({@link ModelProperties}), so a field a later fabric8 adds is copied
 * too, and a copy serialises exactly as its original.
 */
final class ShallowCopies {

  private static final Map<Class<?>, MethodHandle> CONSTRUCTORS = new ConcurrentHashMap<>();

  private ShallowCopies() {}

  /** A new {@code original.getClass()} holding {@code original}'s property values. */
  static <T> T of(T original) {
    Class<?> type = original.getClass();
    ModelProperties.Of properties = ModelProperties.of(type);
    if (!properties.unpaired().isEmpty()) {
      // A copy that dropped a property would apply an object without it.
      throw new IllegalArgumentException(
          type.getName() + " has properties not held in a field: " + properties.unpaired());
    }
    try {
      @SuppressWarnings("unchecked")
      T copy = (T) CONSTRUCTORS.computeIfAbsent(type, ShallowCopies::constructor).invoke();
      for (Property property : properties.all()) {
        property.write(copy, property.read(original));
      }
      return copy;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      // Public constructors, getters and setters of plain fields: nothing checked is thrown.
      throw new IllegalStateException(e);
    }
  }

  private static MethodHandle constructor(Class<?> type) {
    try {
      return MethodHandles.publicLookup()
          .findConstructor(type, MethodType.methodType(void.class))
          .asType(MethodType.methodType(Object.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalArgumentException(
          type.getName() + " has no public no-argument constructor", e);
    }
  }
}
