package dev.ordinal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * Files that belong to a tool that renders manifests rather than being manifests: Kustomize's
 * kustomization.yaml and Helm's Chart.yaml. Ordinal applies plain manifests only, so these get one
 * clear error saying how to render them instead of a dozen about missing fields.
 */
final class RenderFirst {

  static final String KUSTOMIZATION =
      "a Kustomize kustomization, which Ordinal does not render: it applies plain manifests."
          + " Render it (kubectl kustomize DIR > manifests.yaml), commit the output, and move the"
          + " kustomization out of the path";

  static final String CHART =
      "a Helm chart's Chart.yaml, which Ordinal does not render: it applies plain manifests."
          + " Render the chart (helm template NAME CHART > manifests.yaml), commit the output, and"
          + " move the chart out of the path";

  // Fields only a kustomization has at its top level.
  private static final List<String> KUSTOMIZE_FIELDS =
      List.of(
          "resources",
          "bases",
          "patchesStrategicMerge",
          "patchesJson6902",
          "patches",
          "configMapGenerator",
          "secretGenerator",
          "namePrefix",
          "nameSuffix",
          "commonLabels",
          "images",
          "components");

  private RenderFirst() {}

  /** The problem of a file that, by its name, is not a manifest at all; null otherwise. */
  static String problemForFile(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return switch (name) {
      case "kustomization.yaml", "kustomization.yml" -> KUSTOMIZATION;
      case "chart.yaml" -> CHART;
      default -> null;
    };
  }

  /** Whether a document is a kustomization by its content (apiVersion, kind or fields). */
  static boolean isKustomization(JsonNode root) {
    String apiVersion = root.path("apiVersion").asText("");
    String kind = root.path("kind").asText("");
    if (apiVersion.startsWith("kustomize.config.k8s.io/")
        || ((kind.equals("Kustomization") || kind.equals("Component"))
            && !root.path("metadata").has("name"))) {
      return true;
    }
    if (root.has("apiVersion") || root.has("kind")) {
      return false;
    }
    for (String field : KUSTOMIZE_FIELDS) {
      if (root.has(field)) {
        return true;
      }
    }
    return false;
  }
}
