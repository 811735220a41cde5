package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.ordinal.manifest.ModelProperties.Property;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.IOException;
import java.util.List;

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

  static SimpleModule module() {
    return new SimpleModule("shared-empty-collections")
        .setDeserializerModifier(new SharedEmptyCollections());
  }

  @Override
  public JsonDeserializer<?> modifyDeserializer(
      DeserializationConfig config, BeanDescription description, JsonDeserializer<?> deserializer) {
    Class<?> bean = description.getBeanClass();
    if (!KubernetesResource.class.isAssignableFrom(bean)) {
      return deserializer;
    }
    return new Sharing(deserializer, bean);
  }

  private static final class Sharing extends DelegatingDeserializer {
    private final Class<?> bean;
    // Its list and map properties, the unknown-field map among them, looked up when the first
    // object is read: Jackson builds a deserializer for each of the 150 classes a StatefulSet
    // reaches, and a manifest reads a dozen of them. Racing threads find the same list.
    private List<Property> collections;

    Sharing(JsonDeserializer<?> delegate, Class<?> bean) {
      super(delegate);
      this.bean = bean;
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new Sharing(delegate, bean);
    }

    @Override
    public Object deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      Object read = super.deserialize(parser, context);
      if (read == null) {
        return null;
      }
      List<Property> properties = collections;
      if (properties == null) {
        properties = ModelProperties.of(bean).collections();
        collections = properties;
      }
      if (!properties.isEmpty()) {
        CompactModels.shareEmpties(read, properties);
      }
      return read;
    }
  }
}
