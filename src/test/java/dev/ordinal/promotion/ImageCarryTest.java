package dev.ordinal.promotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageCarryTest {
  private static final String PROD =
      """
      # prod database: keep the comments
      apiVersion: v1
      kind: Service
      metadata: {name: db}
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db   # the name
        annotations: {ordinal.dev/policy: canary}
      spec:
        replicas: 5          # prod runs five
        template:
          spec:
            initContainers:
              - name: migrate
                image: 'registry.local/db-migrate:1'
            containers:
              - name: db
                image: registry.local/db:1
                resources: {requests: {cpu: "2"}}
              - name: exporter
                image: "registry.local/exporter:7"
              - name: sidecar
                image: registry.local/sidecar:1
      """;

  @Test
  void readsImagesByContainerNameFromTheNamedStatefulSet() {
    assertEquals(
        Optional.of(
            Map.of(
                "migrate", "registry.local/db-migrate:1",
                "db", "registry.local/db:1",
                "exporter", "registry.local/exporter:7",
                "sidecar", "registry.local/sidecar:1")),
        ImageCarry.images(PROD, "db"));
    assertEquals(Optional.empty(), ImageCarry.images(PROD, "cache"));
  }

  @Test
  void rewritesOnlyTheImagesOfNamedContainersKeepingQuotesCommentsAndEverythingElse() {
    String out =
        ImageCarry.rewrite(
                PROD,
                "db",
                Map.of(
                    "db", "registry.local/db:2",
                    "migrate", "registry.local/db-migrate:2",
                    "exporter", "registry.local/exporter:7",
                    "not-in-prod", "registry.local/x:1"))
            .orElseThrow();
    String expected =
        PROD.replace("db:1", "db:2")
            .replace("'registry.local/db-migrate:1'", "'registry.local/db-migrate:2'");
    assertEquals(expected, out);
  }

  @Test
  void nothingDiffersGivesTheSameText() {
    assertEquals(
        Optional.of(PROD), ImageCarry.rewrite(PROD, "db", Map.of("db", "registry.local/db:1")));
  }

  @Test
  void anImageThatIsNotAPlainScalarIsQuotedAndMultiByteTextBeforeItIsCountedRight() {
    String text =
        """
        kind: StatefulSet
        metadata: {name: db, annotations: {note: "café ☕ 𝄞"}}
        spec: {template: {spec: {containers: [{name: db, image: a:1}]}}}
        """;
    assertEquals(
        text.replace("image: a:1", "image: \"a:2 #x\""),
        ImageCarry.rewrite(text, "db", Map.of("db", "a:2 #x")).orElseThrow());
    assertEquals(
        text.replace("image: a:1", "image: a@sha256:00ff"),
        ImageCarry.rewrite(text, "db", Map.of("db", "a@sha256:00ff")).orElseThrow());
  }

  @Test
  void notYamlIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> ImageCarry.images("kind: [unclosed", "db"));
  }
}
