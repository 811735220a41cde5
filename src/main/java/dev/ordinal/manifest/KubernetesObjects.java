package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.ordinal.manifest.KubernetesKinds.Lookup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * Reads one Kubernetes object as the API server would: the apiVersion and kind must be served,
 * every field must be known and of the right type ({@link FieldSchema}), and the values must pass
 * the server's validation ({@link KubernetesRules}). Objects of kinds Ordinal cannot check offline
 * (custom resources) get their metadata checked and a note, or an error when strict.
 */
final class KubernetesObjects {

  // One mapper for the whole process: Jackson caches deserializers per mapper, and building them
  // for fabric8's large model classes is the expensive part of a first load.
  static final ObjectMapper MAPPER =
      strictScalars(
          new ObjectMapper()
              .setAnnotationIntrospector(new ModelFieldAccess())
              .registerModule(SharedEmptyCollections.module()));

  /**
   * Unknown fields are found by {@link FieldSchema} (fabric8 keeps them in additionalProperties);
   * the coercions the API server's Go decoder refuses ({@code replicas: "3"}) stay refused here as
   * a second line of defence.
   */
  private static ObjectMapper strictScalars(ObjectMapper mapper) {
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Float)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }

  private final boolean strict;
  private final boolean outlines;

  /**
   * @param strict whether kinds Ordinal cannot check (custom resources) are errors
   * @param outlines whether a valid object is returned as its {@linkplain #outline outline} where
   *     the checks vouch that it binds, rather than bound whole
   */
  KubernetesObjects(boolean strict, boolean outlines) {
    this.strict = strict;
    this.outlines = outlines;
  }

  /** These objects, with kinds Ordinal cannot check refused. */
  KubernetesObjects strict() {
    return new KubernetesObjects(true, outlines);
  }

  /** These objects, returned as outlines where the checks vouch that they bind. */
  KubernetesObjects outlining() {
    return new KubernetesObjects(strict, true);
  }

  /**
   * Reads a document whose apiVersion and kind are non-empty strings; null after reporting its
   * problems.
   */
  HasMetadata read(JsonNode root, String apiVersion, String kind, Problems problems) {
    int before = problems.size();
    Lookup lookup = KubernetesKinds.lookup(apiVersion, kind);
    String group = ApiVersions.group(apiVersion);
    Class<? extends HasMetadata> type;
    // Whether the object may be bound as its outline: only where every field was checked, and the
    // checks vouch that Jackson would bind the whole object.
    boolean asOutline = false;
    if (lookup instanceof Lookup.Served served) {
      FieldSchema.Bean shape = FieldSchema.of(served.type(), MAPPER);
      // Rules run even after a type error, to find every problem in one pass; Problems drops
      // what they would say about a value whose type is already reported.
      FieldSchema.check(root, shape, kind, problems);
      KubernetesRules.metadata(root, kind, group, false, problems);
      KubernetesRules.check(kind, root, problems);
      type = served.type();
      asOutline = outlines && FieldSchema.bindsWhenChecked(type, MAPPER);
    } else if (lookup instanceof Lookup.Custom custom) {
      JsonNode metadata = root.get("metadata");
      if (metadata != null) {
        FieldSchema.check(
            metadata,
            FieldSchema.of(ObjectMeta.class, MAPPER),
            "metadata",
            problems.within("metadata"));
      }
      KubernetesRules.metadata(root, kind, group, true, problems);
      String what = kind + " (" + apiVersion + ") is " + custom.why();
      if (strict) {
        problems.add("kind", what + "; Ordinal cannot check it offline, and --strict refuses it");
      } else {
        problems.note("kind", what + ": only its metadata was checked (--strict refuses it)");
      }
      type = GenericKubernetesResource.class;
    } else if (lookup instanceof Lookup.Removed removed) {
      KubernetesKinds.Removal removal = removed.removal();
      problems.add(
          "apiVersion",
          kind
              + " "
              + apiVersion
              + " was removed in Kubernetes "
              + removal.removedIn()
              + (removal.replacement().isEmpty() ? "" : ", use " + removal.replacement())
              + (removal.hint().isEmpty() ? "" : " (" + removal.hint() + ")"));
      return null;
    } else {
      Lookup.Unknown unknown = (Lookup.Unknown) lookup;
      problems.add(unknown.aboutKind() ? "kind" : "apiVersion", unknown.problem());
      return null;
    }
    if (problems.size() != before) {
      return null;
    }
    // Jackson's messages may quote a value, and a Secret's values must never reach an error.
    boolean hidesValues = group.isEmpty() && kind.equals("Secret");
    try {
      return MAPPER.treeToValue(asOutline ? outline(root) : root, type);
    } catch (JsonMappingException e) {
      // The checks above should have found it; say what Jackson found rather than nothing.
      problems.add(
          pathOf(e),
          hidesValues
              ? "cannot be read (the parser's message is not shown: it may quote a value)"
              : SyntaxErrors.firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      problems.add(
          "",
          "cannot read "
              + kind
              + (hidesValues
                  ? " (the parser's message is not shown: it may quote a value)"
                  : ": " + SyntaxErrors.firstLine(e.getMessage())));
    }
    return null;
  }

  /**
   * The fields of a checked object that loading reads across documents (identity, labels and
   * annotations, a pod template's labels and annotations, a StatefulSet's claim template names),
   * which is all that {@code ordinal validate} needs of an object once its own checks have passed.
   */
  private static ObjectNode outline(JsonNode root) {
    ObjectNode outline = JsonNodeFactory.instance.objectNode();
    for (String field : new String[] {"apiVersion", "kind", "metadata"}) {
      JsonNode value = root.get(field);
      if (value != null) {
        outline.set(field, value);
      }
    }
    JsonNode podMetadata = root.path("spec").path("template").path("metadata");
    if (podMetadata.isObject()) {
      outline.withObjectProperty("spec").putObject("template").set("metadata", podMetadata);
    }
    JsonNode templates = root.path("spec").path("volumeClaimTemplates");
    if (templates instanceof ArrayNode claims) {
      ArrayNode names = outline.withObjectProperty("spec").putArray("volumeClaimTemplates");
      for (JsonNode claim : claims) {
        JsonNode metadata = claim.get("metadata");
        if (claim.isObject() && metadata != null) {
          names.addObject().set("metadata", metadata);
        } else {
          names.add(claim.isObject() ? JsonNodeFactory.instance.objectNode() : claim);
        }
      }
    }
    return outline;
  }

  /** The dotted path of the field a Jackson mapping error is about. */
  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
