package dev.ordinal.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import java.lang.reflect.Field;
import java.util.HashSet;
import java.util.Set;

/**
 * Makes Jackson read and write fabric8's model objects through their fields instead of their
 * getters and setters. Each property of a fabric8 model is a field annotated with its JSON name
 * beside a getter and setter that only return and assign it, and Jackson prefers the methods.
 *
 * <p>Why: a cold process pays for every method Jackson calls by reflection. Java 17 runs the first
 * fifteen calls of each through native code and then writes a class of bytecode for it: a cold plan
 * of 10,000 StatefulSets wrote 244 such classes and spent about a seventh of its samples in {@code
 * Method.invoke}. A field is read and written through one accessor object, with no class written.
 * The properties stay the same, in the same order, with the same inclusion rules: {@code
 * ModelFieldAccessTest} holds every model class on the classpath to that.
 *
 * <p>Only a method whose property has an annotated field in the same class is set aside, so a
 * property without such a field (a computed getter, the unknown-field pair) keeps its methods.
 */
public final class ModelFieldAccess extends JacksonAnnotationIntrospector {

  private static final long serialVersionUID = 1L;

  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  // The JSON names and Java names of each class's annotated fields, found once per class.
  private static final ClassValue<Set<String>> ANNOTATED_FIELDS =
      new ClassValue<>() {
        @Override
        protected Set<String> computeValue(Class<?> type) {
          Set<String> names = new HashSet<>();
          for (Field field : type.getDeclaredFields()) {
            JsonProperty property = field.getAnnotation(JsonProperty.class);
            if (property != null) {
              names.add(field.getName());
              if (!property.value().isEmpty()) {
                names.add(property.value());
              }
            }
          }
          return Set.copyOf(names);
        }
      };

  @Override
  public boolean hasIgnoreMarker(AnnotatedMember member) {
    if (member instanceof AnnotatedMethod method && isFieldBackedAccessor(method)) {
      return true;
    }
    return super.hasIgnoreMarker(member);
  }

  private static boolean isFieldBackedAccessor(AnnotatedMethod method) {
    Class<?> declaring = method.getDeclaringClass();
    if (!declaring.getName().startsWith(MODEL_PACKAGE) || declaring.isInterface()) {
      return false;
    }
    String property = beanProperty(method);
    if (property == null) {
      return false;
    }
    Set<String> fields = ANNOTATED_FIELDS.get(declaring);
    JsonProperty named = method.getAnnotation(JsonProperty.class);
    return fields.contains(property) || (named != null && fields.contains(named.value()));
  }

  /** The bean property a getter or setter stands for ({@code getImage} → image), or null. */
  private static String beanProperty(AnnotatedMethod method) {
    String name = method.getName();
    int parameters = method.getParameterCount();
    String rest;
    if (parameters == 0 && name.startsWith("get") && method.getRawReturnType() != void.class) {
      rest = name.substring(3);
    } else if (parameters == 0
        && name.startsWith("is")
        && method.getRawReturnType() != void.class) {
      rest = name.substring(2);
    } else if (parameters == 1 && name.startsWith("set")) {
      rest = name.substring(3);
    } else {
      return null;
    }
    if (rest.isEmpty()) {
      return null;
    }
    return Character.toLowerCase(rest.charAt(0)) + rest.substring(1);
  }
}
