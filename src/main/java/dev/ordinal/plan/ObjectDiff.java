package dev.ordinal.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Renders plans as unified diffs, like {@code kubectl diff}: per object, the live object as it
 * matters to Git (its server defaults and other managers' fields left out) against desired, both as
 * YAML with sorted keys, under the headers {@code --- live/<kind>/<ns>/<name>} and {@code +++
 * desired/<kind>/<ns>/<name>}. A create shows every line added, a prune every line removed.
 */
public final class ObjectDiff {
  private static final int CONTEXT_LINES = 3;

  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              // Config files in ConfigMaps: a changed line shows as one line, not the whole value.
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .build());

  private ObjectDiff() {}

  /** The diffs of every changed object in plan order, concatenated; empty if none changes. */
  public static String unified(Plan plan) {
    StringBuilder out = new StringBuilder();
    for (ObjectPlan object : plan.objects()) {
      out.append(unified(object, plan.options()));
    }
    return out.toString();
  }

  /**
   * One object's diff, each line ending in a newline; empty for an unchanged object. Secret values
   * show as {@code ***}, {@code *** (before)} and {@code *** (after)}.
   */
  public static String unified(ObjectPlan plan, PlanOptions options) {
    ObjectKey key = plan.key();
    JsonNode live = null;
    JsonNode desired = null;
    if (plan instanceof ObjectPlan.Unchanged) {
      return "";
    } else if (plan instanceof ObjectPlan.Create create) {
      desired = Normaliser.desired(create.desired(), key, options, false);
    } else if (plan instanceof ObjectPlan.PruneCandidate prune) {
      live = Normaliser.live(prune.live(), false);
    } else if (plan instanceof ObjectPlan.Update update) {
      Planner.Comparison comparison =
          Planner.compare(key, update.desired(), update.live(), options, true);
      live = comparison.liveView();
      desired = comparison.desiredView();
    } else if (plan instanceof ObjectPlan.Recreate recreate) {
      Planner.Comparison comparison =
          Planner.compare(key, recreate.desired(), recreate.live(), options, true);
      live = comparison.liveView();
      desired = comparison.desiredView();
    } else {
      ObjectPlan.Refused refused = (ObjectPlan.Refused) plan;
      Planner.Comparison comparison =
          Planner.compare(key, refused.desired(), refused.live(), options, true);
      live = comparison.liveView();
      desired = comparison.desiredView();
    }
    if (Secrets.isSecret(key)) {
      Secrets.hideValues(live, desired);
    }
    return unified(
        key,
        live == null ? List.of() : yamlLines(live),
        desired == null ? List.of() : yamlLines(desired));
  }

  static String unified(ObjectKey key, List<String> live, List<String> desired) {
    Patch<String> patch = DiffUtils.diff(live, desired);
    if (patch.getDeltas().isEmpty()) {
      return "";
    }
    List<String> lines =
        UnifiedDiffUtils.generateUnifiedDiff(
            "live/" + key.path(), "desired/" + key.path(), live, patch, CONTEXT_LINES);
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      if (line.startsWith("@@")) {
        // java-diff-utils numbers an empty side from 1; patch(1) and GNU diff expect "0,0".
        line = line.replace("@@ -1,0 ", "@@ -0,0 ").replace(" +1,0 @@", " +0,0 @@");
      }
      out.append(line).append('\n');
    }
    return out.toString();
  }

  /** Sorted-key YAML of {@code tree}, one entry per line. */
  static List<String> yamlLines(JsonNode tree) {
    try {
      String text = YAML.writeValueAsString(sorted(tree));
      List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
      if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
        lines.remove(lines.size() - 1);
      }
      return lines;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      for (String name : names) {
        out.set(name, sorted(node.get(name)));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      for (JsonNode item : node) {
        out.add(sorted(item));
      }
      return out;
    }
    return node;
  }
}
