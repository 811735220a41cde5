package dev.ordinal.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test objects: YAML fixtures read into fabric8 models, and text edits of them. */
final class Fixtures {
  static final YAMLMapper YAML =
      YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  static final PlanOptions OPTIONS = PlanOptions.of("prod", "shop");

  private Fixtures() {}

  static String text(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String desiredStatefulSetYaml() {
    return text("desired-statefulset.yaml");
  }

  static String liveStatefulSetYaml() {
    return text("live-statefulset.yaml");
  }

  static StatefulSet desiredStatefulSet() {
    return parse(desiredStatefulSetYaml(), StatefulSet.class);
  }

  static StatefulSet liveStatefulSet() {
    return parse(liveStatefulSetYaml(), StatefulSet.class);
  }

  static <T extends HasMetadata> T parse(String yaml, Class<T> type) {
    try {
      return YAML.readValue(yaml, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GenericKubernetesResource generic(String yaml) {
    return parse(yaml, GenericKubernetesResource.class);
  }

  /** {@code text} with {@code from} replaced once; fails loudly if the fixture drifted. */
  static String edit(String text, String from, String to) {
    int at = text.indexOf(from);
    if (at < 0) {
      throw new IllegalArgumentException("fixture has no " + from);
    }
    return text.substring(0, at) + to + text.substring(at + from.length());
  }
}
