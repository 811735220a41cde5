package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedField;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The properties of a fabric8 model class as Jackson reads and writes them, and its unknown-field
 * map, each through its field: what copies and compaction of model objects go through, so that a
 * field a later fabric8 adds is handled too.
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
   * A property's field, read and written directly: Jackson reads and writes it there too ({@link
   * ModelFieldAccess}), and a field access writes no class of bytecode as a reflective method call
   * does once Java 17 has run it fifteen times.
   */
  record Property(String name, Holds holds, Field field) {
    Object read(Object bean) {
      try {
        return field.get(bean);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    void write(Object bean, Object value) {
      try {
        field.set(bean, value);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * The properties of one class; {@code unpaired} names those Jackson does not read and write
   * through a field (none in fabric8's models today), which are not in {@code all}.
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
      AnnotatedField field = property.getField();
      if (field == null || !writable(field.getAnnotated())) {
        unpaired.add(property.getName());
        continue;
      }
      all.add(new Property(property.getName(), holds(field.getRawType()), field.getAnnotated()));
    }
    // fabric8 keeps the fields its class does not know in this one (Jackson's any-getter).
    Field unknown = unknownFields(type);
    if (unknown != null) {
      all.add(new Property("additionalProperties", Holds.COLLECTION, unknown));
    }
    return new Of(
        List.copyOf(all),
        all.stream().filter(p -> p.holds() == Holds.COLLECTION).toList(),
        List.copyOf(unpaired));
  }

  private static Holds holds(Class<?> declared) {
    return List.class.isAssignableFrom(declared) || Map.class.isAssignableFrom(declared)
        ? Holds.COLLECTION
        : KubernetesResource.class.isAssignableFrom(declared) ? Holds.MODEL : Holds.VALUE;
  }

  private static Field unknownFields(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      try {
        Field field = c.getDeclaredField("additionalProperties");
        return field.getType() == Map.class && writable(field) ? field : null;
      } catch (NoSuchFieldException e) {
        // Declared higher up, or a class without unknown fields.
      }
    }
    return null;
  }

  /** Whether the field is an instance field this code may read and write. */
  private static boolean writable(Field field) {
    int modifiers = field.getModifiers();
    if (Modifier.isStatic(modifiers) || Modifier.isFinal(modifiers)) {
      return false;
    }
    // The models are on the class path, in the unnamed module, open to reflection.
    return field.trySetAccessible();
  }
}
