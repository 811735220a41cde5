package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a multi-document YAML (or JSON) file into documents, keeping each one's first line.
 *
 * <p>Field lines are not tracked on this hot path: they are only needed for Ordinal's kinds and for
 * errors, so {@link #fieldLines} re-reads one document when asked.
 */
final class YamlDocuments {

  // Duplicate keys are rejected: with "last one wins", a stray second "replicas:" would go unseen.
  static final YAMLFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** A document of a file; {@code index} counts every document, empty ones included. */
  record Document(int index, int line, JsonNode root) {}

  /** The documents of a file, and the syntax error that stopped reading, if any. */
  record Split(List<Document> documents, Problems.Problem syntaxError) {}

  private YamlDocuments() {}

  /**
   * Reads every document of {@code bytes}. Empty documents are skipped; documents that are not
   * mappings are returned too so the caller can report them.
   */
  static Split split(byte[] bytes, ObjectMapper mapper) {
    List<Document> documents = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(bytes)) {
      int index = 0;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        int line = parser.currentTokenLocation().getLineNr();
        int documentIndex = index++;
        if (token == JsonToken.VALUE_NULL
            || (token == JsonToken.VALUE_STRING && parser.getText().isEmpty())) {
          // An empty document: between two "---", only comments, or after a final "---".
          continue;
        }
        JsonNode root = mapper.readTree(parser);
        documents.add(new Document(documentIndex, line, root));
      }
    } catch (JsonProcessingException e) {
      return new Split(documents, syntaxError(e));
    } catch (IOException e) {
      // Reading from a byte array: only malformed input ends up here.
      return new Split(documents, new Problems.Problem(1, "", "cannot read: " + e.getMessage()));
    }
    return new Split(documents, null);
  }

  private static Problems.Problem syntaxError(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    int line = location == null ? 1 : Math.max(1, location.getLineNr());
    String detail;
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
      // SnakeYAML's own message spans several lines with a source excerpt; keep its two sentences.
      detail =
          marked.getContext() == null
              ? marked.getProblem()
              : marked.getContext() + ": " + marked.getProblem();
      if (marked.getProblemMark() != null) {
        line = marked.getProblemMark().getLine() + 1;
      }
      if (marked.getContextMark() != null && detail.contains("end of stream")) {
        // "found unexpected end of stream" points past the file; where the construct began helps.
        line = marked.getContextMark().getLine() + 1;
      }
    } else if (e.getOriginalMessage().startsWith("Duplicate field ")) {
      // Jackson's term is "field"; in YAML it is a key, and "last one wins" is not applied.
      detail = "duplicate key " + e.getOriginalMessage().substring("Duplicate field ".length());
    } else {
      detail = e.getOriginalMessage();
      int newline = detail.indexOf('\n');
      if (newline >= 0) {
        detail = detail.substring(0, newline);
      }
    }
    return new Problems.Problem(line, "", "YAML syntax error: " + detail);
  }

  /**
   * The line of each field of document {@code index}, by path ({@code spec.steps[2].canary}); the
   * document itself is under the empty path.
   */
  static Map<String, Integer> fieldLines(byte[] bytes, int index) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser parser = YAML.createParser(bytes)) {
      int current = 0;
      while (parser.nextToken() != null) {
        if (current++ == index) {
          lines.put("", parser.currentTokenLocation().getLineNr());
          recordLines(parser, "", lines);
          break;
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      // The document was read once already; if it now fails, fall back on document lines.
    }
    return lines;
  }

  private static void recordLines(JsonParser parser, String path, Map<String, Integer> lines)
      throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.START_OBJECT) {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String child = Problems.child(path, parser.currentName());
        lines.putIfAbsent(child, parser.currentTokenLocation().getLineNr());
        parser.nextToken();
        recordLines(parser, child, lines);
      }
    } else if (token == JsonToken.START_ARRAY) {
      int i = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        String child = path + "[" + i++ + "]";
        lines.putIfAbsent(child, parser.currentTokenLocation().getLineNr());
        recordLines(parser, child, lines);
      }
    }
  }

  /**
   * The line of the first alias ({@code *name}) in {@code bytes}, or 0. Jackson reads an alias as
   * the plain string "name", which would silently change a manifest, so aliases are refused.
   */
  static int firstAliasLine(byte[] bytes) {
    try (JsonParser parser = YAML.createParser(bytes)) {
      YAMLParser yaml = (YAMLParser) parser;
      while (parser.nextToken() != null) {
        if (yaml.isCurrentAlias()) {
          return parser.currentTokenLocation().getLineNr();
        }
      }
    } catch (IOException e) {
      // Syntax errors are reported by split().
    }
    return 0;
  }

  /** A cheap test that lets files without any '*' skip the alias scan. */
  static boolean mayContainAlias(byte[] bytes) {
    for (byte b : bytes) {
      if (b == '*') {
        return true;
      }
    }
    return false;
  }
}
