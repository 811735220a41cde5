package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every fabric8 model object carries a {@code LinkedHashMap} for the fields its class does not
 * know, an {@code ArrayList} for each list field and a {@code LinkedHashMap} for each map field
 * (annotations, nodeSelector, limits), and in a manifest nearly all of them stay empty: about fifty
 * maps and seventy lists per StatefulSet read, the largest shares of the daemon's heap in
 * DaemonMemoryBench's class histogram. Objects this module reads get the one shared empty map and
 * list instead, once they are read whole.
 *
 * <p>So an empty list or map of an object read here, or of a {@link ManifestLoader#copy copy} of
 * one (read the same way), is immutable: replace it with a setter, never add to it. Jackson fills
 * them while it reads (this runs after), fabric8's builders copy lists and maps into their own, and
 * Ordinal changes what it applies through setters and label maps. A map or list that holds
 * something is kept as it is.
 */
final class SharedEmptyCollections extends BeanDeserializerModifier {

  private static final MethodType GET = MethodType.methodType(Map.class);
  private static final MethodType SET = MethodType.methodType(void.class, Map.class);

  static SimpleModule module() {
    return new SimpleModule("shared-empty-collections")
        .setDeserializerModifier(new SharedEmptyCollections());
  }

  /**
   * A property's getter and setter, as handles typed {@code (Object)Object, (Object,Object)void}.
   */
  private record Accessors(MethodHandle get, MethodHandle set) {
    Object read(Object bean) throws Throwable {
      return get.invoke(bean);
    }

    void write(Object bean, Object value) throws Throwable {
      set.invoke(bean, value);
    }
  }

  @Override
  public JsonDeserializer<?> modifyDeserializer(
      DeserializationConfig config, BeanDescription description, JsonDeserializer<?> deserializer) {
    Class<?> bean = description.getBeanClass();
    if (!KubernetesResource.class.isAssignableFrom(bean)) {
      return deserializer;
    }
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    Accessors extras;
    try {
      extras =
          accessors(
              lookup.findVirtual(bean, "getAdditionalProperties", GET),
              lookup.findVirtual(bean, "setAdditionalProperties", SET));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      // A model class without the pair (none in fabric8 7.x) is read as Jackson reads it.
      return deserializer;
    }
    List<Accessors> collections = new ArrayList<>();
    for (BeanPropertyDefinition property : description.findProperties()) {
      Class<?> type = property.getRawPrimaryType();
      if ((List.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type))
          && property.hasGetter()
          && property.hasSetter()) {
        try {
          collections.add(
              accessors(
                  lookup.unreflect(property.getGetter().getAnnotated()),
                  lookup.unreflect(property.getSetter().getAnnotated())));
        } catch (IllegalAccessException e) {
          // Not public: left as read.
        }
      }
    }
    return new Sharing(deserializer, extras, List.copyOf(collections));
  }

  private static Accessors accessors(MethodHandle get, MethodHandle set) {
    return new Accessors(
        get.asType(MethodType.methodType(Object.class, Object.class)),
        set.asType(MethodType.methodType(void.class, Object.class, Object.class)));
  }

  private static final class Sharing extends DelegatingDeserializer {
    private final Accessors extras;
    // List and map properties.
    private final List<Accessors> collections;

    Sharing(JsonDeserializer<?> delegate, Accessors extras, List<Accessors> collections) {
      super(delegate);
      this.extras = extras;
      this.collections = collections;
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new Sharing(delegate, extras, collections);
    }

    @Override
    public Object deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      Object read = super.deserialize(parser, context);
      if (read == null) {
        return null;
      }
      try {
        if (extras.read(read) instanceof Map<?, ?> map && map.isEmpty()) {
          extras.write(read, Map.of());
        }
        for (Accessors collection : collections) {
          Object value = collection.read(read);
          if (value instanceof List<?> values && values.isEmpty()) {
            collection.write(read, List.of());
          } else if (value instanceof Map<?, ?> entries && entries.isEmpty()) {
            collection.write(read, Map.of());
          }
        }
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        // The handles are public getters and setters of plain fields; they throw nothing checked.
        throw new IllegalStateException(e);
      }
      return read;
    }
  }
}
