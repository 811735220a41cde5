package dev.ordinal.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * What one blob parsed into: its valid documents and the problems of the others. Cached by blob id,
 * so it holds no file path.
 *
 * @param brokenOrdinalObjects "Kind/name" of Ordinal objects with problems, already reported
 * @param unreadDocuments whether some of its documents could not be read at all (the file, or the
 *     YAML stream from some point on): what they declare is unknown, so a name missing from the
 *     tree may be there
 */
record ParsedBlob(
    List<ParsedDocument> documents,
    List<Problems.Problem> problems,
    List<String> brokenOrdinalObjects,
    boolean unreadDocuments) {

  ParsedBlob {
    documents = List.copyOf(documents);
    problems = List.copyOf(problems);
    brokenOrdinalObjects = List.copyOf(brokenOrdinalObjects);
  }

  /** A blob that could not be read or parsed at all. */
  static ParsedBlob failed(Problems.Problem problem) {
    return new ParsedBlob(List.of(), List.of(problem), List.of(), true);
  }

  /** One valid document of a blob. */
  sealed interface ParsedDocument permits KubernetesDocument, PolicyDocument, TemplateDocument {
    int line();
  }

  /**
   * @param origin where its document starts, to find field lines again when an error found across
   *     files needs one
   * @param path where the object sits in its document: "" or, for an item of a List, "items[2]"
   */
  record KubernetesDocument(
      HasMetadata resource, int line, YamlDocuments.Origin origin, String path)
      implements ParsedDocument {}

  /** A policy and, for checks across files, where each of its analyses was written. */
  record PolicyDocument(RolloutPolicy policy, int line, List<AnalysisSite> analyses)
      implements ParsedDocument {}

  /**
   * An analysis of a policy (a step or the background one) with its place in the document.
   *
   * @param field {@code spec.steps[2].analysis} or {@code spec.analysis}
   * @param line the line of its {@code args}, else of the analysis itself
   */
  record AnalysisSite(
      String field,
      int line,
      RolloutPolicy.Analysis analysis,
      List<TemplateRef> templates,
      List<ArgSite> args) {

    /** The policy's background analysis, which runs for the whole rollout, not a step's. */
    boolean background() {
      return field.equals("spec.analysis");
    }
  }

  /**
   * Where an analysis names one of its args, in the order of {@code analysis().args()}: the field
   * path and line of its name and of its value (the entry's line when it has none), so an error
   * about that arg points at it.
   */
  record ArgSite(String nameField, int nameLine, String valueField, int valueLine) {}

  record TemplateDocument(AnalysisTemplate template, int line) implements ParsedDocument {}

  /** A template named by a policy, with the field and line that name it. */
  record TemplateRef(String templateName, String field, int line) {}
}
