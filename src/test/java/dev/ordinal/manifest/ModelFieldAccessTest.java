package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.introspect.AnnotatedField;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.BeanSerializer;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds {@link ModelFieldAccess} to Jackson's own reading of fabric8's models: for every model
 * class on the class path, the same properties in the same order, written under the same inclusion
 * rules and read under the same names, now through fields; and every manifest of this repository
 * read and written to the same tree both ways.
 */
class ModelFieldAccessTest {

  private static final ObjectMapper METHODS = new ObjectMapper();
  private static final ObjectMapper FIELDS =
      new ObjectMapper().setAnnotationIntrospector(new ModelFieldAccess());

  @Test
  void everyModelClassHasTheSamePropertiesReadAndWrittenThroughFields() throws Exception {
    List<Class<?>> models = modelClasses();
    // kubernetes-model-core alone has several hundred: a scan that found none proves nothing.
    assertTrue(models.size() > 1_000, "found only " + models.size() + " model classes");
    List<String> differences = new ArrayList<>();
    int fieldBacked = 0;
    List<String> methodBacked = new ArrayList<>();
    DefaultDeserializationContext methodsReading = readingContext(METHODS);
    DefaultDeserializationContext fieldsReading = readingContext(FIELDS);
    for (Class<?> model : models) {
      List<String> written = writtenProperties(METHODS, model);
      List<String> writtenByFields = writtenProperties(FIELDS, model);
      if (!written.equals(writtenByFields)) {
        differences.add(model.getName() + " writes " + written + " but " + writtenByFields);
      }
      TreeSet<String> read = readProperties(methodsReading, model);
      TreeSet<String> readByFields = readProperties(fieldsReading, model);
      if (!read.equals(readByFields)) {
        differences.add(model.getName() + " reads " + read + " but " + readByFields);
      }
      for (PropertyWriter writer : serializer(FIELDS, model)) {
        if (writer.getMember() instanceof AnnotatedField) {
          fieldBacked++;
        } else if (!writer.getMember().hasAnnotation(JsonAnyGetter.class)) {
          // The unknown-field map keeps its methods: its field is not a property.
          methodBacked.add(model.getName() + "." + writer.getName());
        }
      }
      String empty = emptyInstanceJson(METHODS, model);
      String emptyByFields = emptyInstanceJson(FIELDS, model);
      if (empty != null && !empty.equals(emptyByFields)) {
        differences.add(model.getName() + " empty writes " + empty + " but " + emptyByFields);
      }
    }
    System.out.printf(
        "%d model classes: %d properties written through fields, %d through methods%n",
        models.size(), fieldBacked, methodBacked.size());
    assertEquals(List.of(), differences);
    System.out.println("through methods: " + methodBacked);
    // The point of the class: nearly every property through its field.
    assertTrue(fieldBacked > 20 * Math.max(1, methodBacked.size()), methodBacked.toString());
  }

  @Test
  void everyManifestOfTheRepositoryReadsAndWritesTheSameTreeBothWays() throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    int objects = 0;
    List<String> differences = new ArrayList<>();
    for (Path file : repositoryYaml()) {
      List<JsonNode> documents;
      try {
        documents = yaml.readValues(yaml.createParser(file.toFile()), JsonNode.class).readAll();
      } catch (IOException malformed) {
        continue;
      }
      for (JsonNode document : documents) {
        if (!document.hasNonNull("kind") || !document.hasNonNull("apiVersion")) {
          continue;
        }
        Object byMethods;
        Object byFields;
        try {
          // fabric8 finds the class for the kind and version.
          byMethods = METHODS.treeToValue(document, KubernetesResource.class);
          if (byMethods == null || byMethods instanceof GenericKubernetesResource) {
            continue;
          }
          byFields = FIELDS.treeToValue(document, byMethods.getClass());
        } catch (IOException | IllegalArgumentException unreadable) {
          continue;
        }
        objects++;
        JsonNode written = METHODS.valueToTree(byMethods);
        // Each side written by the other mapper too: reading and writing are checked apart.
        if (!written.equals(FIELDS.valueToTree(byFields))
            || !written.toString().equals(FIELDS.valueToTree(byMethods).toString())
            || !written.toString().equals(METHODS.valueToTree(byFields).toString())) {
          differences.add(file + ": " + document.path("metadata").path("name"));
        }
      }
    }
    System.out.printf("%d manifests read and written both ways%n", objects);
    assertTrue(objects > 50, "read only " + objects + " objects");
    assertEquals(List.of(), differences);
  }

  private static List<String> writtenProperties(ObjectMapper mapper, Class<?> model) {
    List<String> names = new ArrayList<>();
    for (PropertyWriter writer : serializer(mapper, model)) {
      String inclusion =
          writer instanceof BeanPropertyWriter bean && bean.willSuppressNulls() ? "" : "+null";
      names.add(writer.getName() + inclusion);
    }
    return names;
  }

  private static Iterable<PropertyWriter> serializer(ObjectMapper mapper, Class<?> model) {
    try {
      JsonSerializer<Object> serializer =
          mapper.getSerializerProviderInstance().findValueSerializer(model);
      if (serializer instanceof BeanSerializer bean) {
        List<PropertyWriter> writers = new ArrayList<>();
        bean.properties().forEachRemaining(writers::add);
        return writers;
      }
      return List.of();
    } catch (IOException e) {
      throw new IllegalStateException(model.getName(), e);
    }
  }

  private static DefaultDeserializationContext readingContext(ObjectMapper mapper) {
    DeserializationConfig config = mapper.getDeserializationConfig();
    return ((DefaultDeserializationContext) mapper.getDeserializationContext())
        .createDummyInstance(config);
  }

  private static TreeSet<String> readProperties(
      DefaultDeserializationContext context, Class<?> model) {
    TreeSet<String> names = new TreeSet<>();
    try {
      var deserializer = context.findRootValueDeserializer(context.constructType(model));
      if (deserializer instanceof BeanDeserializerBase bean) {
        Iterator<SettableBeanProperty> properties = bean.properties();
        properties.forEachRemaining(p -> names.add(p.getName()));
        names.add("any-setter=" + (bean.findProperty("additionalProperties") != null));
      }
    } catch (IOException e) {
      throw new IllegalStateException(model.getName(), e);
    }
    return names;
  }

  private static String emptyInstanceJson(ObjectMapper mapper, Class<?> model) throws Exception {
    Constructor<?> constructor;
    try {
      constructor = model.getConstructor();
    } catch (NoSuchMethodException e) {
      return null;
    }
    try {
      return mapper.writeValueAsString(constructor.newInstance());
    } catch (JsonProcessingException e) {
      // A custom serializer that refuses an empty object (JSONSchemaPropsOrBool) refuses it the
      // same way whichever mapper calls it.
      return "refused: " + e.getOriginalMessage();
    }
  }

  /** Every concrete public model class in fabric8's model jars. */
  private static List<Class<?>> modelClasses() throws IOException {
    TreeSet<String> names = new TreeSet<>();
    List<URL> packages =
        Collections.list(
            ModelFieldAccessTest.class.getClassLoader().getResources("io/fabric8/kubernetes/api"));
    for (URL url : packages) {
      if (!(url.openConnection() instanceof JarURLConnection connection)) {
        continue;
      }
      try (JarFile jar = new JarFile(connection.getJarFileURL().getPath())) {
        if (!jar.getName().contains("kubernetes-model-")) {
          continue;
        }
        for (JarEntry entry : Collections.list(jar.entries())) {
          String name = entry.getName();
          if (name.startsWith("io/fabric8/kubernetes/api/model")
              && name.endsWith(".class")
              && !name.contains("$")
              && !name.endsWith("Builder.class")
              && !name.endsWith("Fluent.class")
              && !name.endsWith("package-info.class")) {
            names.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
          }
        }
      }
    }
    List<Class<?>> models = new ArrayList<>();
    for (String name : names) {
      Class<?> type;
      try {
        type = Class.forName(name, false, ModelFieldAccessTest.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError optionalDependency) {
        continue;
      }
      int modifiers = type.getModifiers();
      if (KubernetesResource.class.isAssignableFrom(type)
          && Modifier.isPublic(modifiers)
          && !Modifier.isAbstract(modifiers)
          && !type.isInterface()
          && !type.isEnum()) {
        models.add(type);
      }
    }
    return models;
  }

  private static List<Path> repositoryYaml() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String root : List.of("examples", "policies", "manifests", "src/test/resources")) {
      Path dir = Path.of(root);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
            .sorted()
            .forEach(files::add);
      }
    }
    return files;
  }
}
