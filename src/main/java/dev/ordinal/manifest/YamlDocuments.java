package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Splits a multi-document YAML (or JSON) file into documents, keeping where each one starts.
 *
 * <p>Documents are handed on one at a time ({@link #read}), so a file of N documents never holds N
 * trees. Each keeps the positions of its fields as numbers, in the order they were read; they are
 * named by path ({@link Document#positions}) only for a document with a problem, which keeps a file
 * with N bad documents at O(N) without a second read. {@link #positions} reads one document again,
 * from where it starts, for a line needed after its tree is gone.
 *
 * <p>Scalars are read as Kubernetes reads them (YAML 1.1): {@code yes}, {@code no}, {@code on},
 * {@code off}, {@code y} and {@code n} are booleans, kept as {@link WordBoolean} so that messages
 * can show the word.
 */
final class YamlDocuments {

  /** Deeper than this is refused: no Kubernetes object comes close, and it bounds recursion. */
  static final int MAX_DEPTH = 1000;

  private static final StreamReadConstraints CONSTRAINTS =
      StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 10).build();

  // Duplicate keys are rejected (by TreeReader for YAML): with "last one wins", a stray second
  // "replicas:" would go unseen.
  static final YAMLFactory YAML = new KubernetesYamlFactory();

  static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(CONSTRAINTS)
          .build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * A document of a file; {@code index} counts every document, empty ones included.
   *
   * @param written the {@linkplain Problems#position position} of the document, then of each field
   *     and list item in the order they were read, kept as the tree was built: finding them again
   *     would mean reading the document a second time, which costs as much as the first
   */
  record Document(int index, Origin origin, JsonNode root, long[] written) {
    /**
     * The position of each field path of this document ({@code spec.steps[2].canary}); the document
     * itself is under the empty path. Spelled out only when a problem needs a line.
     */
    Map<String, Long> positions() {
      Map<String, Long> positions = new HashMap<>();
      positions.put("", written[0]);
      name(root, "", positions, 1);
      return positions;
    }

    /** Names the positions of {@code node}'s fields from {@code next} on; returns the next. */
    private int name(JsonNode node, String path, Map<String, Long> positions, int next) {
      if (node.isObject()) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          String child = Problems.child(path, field.getKey());
          positions.putIfAbsent(child, written[next++]);
          next = name(field.getValue(), child, positions, next);
        }
      } else if (node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          String child = path + "[" + i + "]";
          positions.putIfAbsent(child, written[next++]);
          next = name(node.get(i), child, positions, next);
        }
      }
      return next;
    }
  }

  /**
   * Where a document starts, enough to read it again on its own.
   *
   * @param json whether its file is read as JSON
   * @param line the line of its first token
   * @param column the column of its first token
   * @param offset the byte offset from which it can be read again
   */
  record Origin(boolean json, int line, int column, int offset) {
    /** The position of each field of this document in {@code bytes}, its file's content. */
    Map<String, Long> positions(byte[] bytes) {
      return YamlDocuments.positions(bytes, this);
    }
  }

  /**
   * The documents of a file, and the problem that stopped reading it, if any (documents before that
   * problem are still returned, so their own problems are reported too).
   */
  record Split(boolean json, List<Document> documents, Problems.Problem problem) {}

  private YamlDocuments() {}

  /**
   * Reads every document of {@code bytes}. Empty documents are skipped; documents that are not
   * mappings are returned too so the caller can report them.
   */
  static Split split(byte[] bytes) {
    List<Document> documents = new ArrayList<>();
    Read read = read(bytes, documents::add);
    return new Split(read.json(), documents, read.problem());
  }

  /** How reading a file ended: whether it was read as JSON, and the problem that stopped it. */
  record Read(boolean json, Problems.Problem problem) {}

  /**
   * Reads the documents of {@code bytes} as {@link #split} does, handing each to {@code each} as
   * soon as it is read: a file of many documents is then never held as trees all at once.
   */
  static Read read(byte[] bytes, Consumer<Document> each) {
    return read(bytes, each, true);
  }

  /**
   * As {@link #read(byte[], Consumer)}; {@code blockYaml} false reads every document with
   * SnakeYAML, which {@code BlockYamlDifferentialTest} compares with {@link BlockYaml}'s reading.
   */
  static Read read(byte[] bytes, Consumer<Document> each, boolean blockYaml) {
    TextScan scan = TextScan.of(bytes);
    if (scan.problem() != null) {
      return new Read(scan.json(), scan.problem());
    }
    if (scan.mayHaveTemplate()) {
      Problems.Problem template = Templates.find(bytes, scan);
      if (template != null) {
        return new Read(scan.json(), template);
      }
    }
    // Documents before this one were read by BlockYaml and handed on already.
    int readAlready = 0;
    if (blockYaml && !scan.json()) {
      readAlready = BlockYaml.read(bytes, scan, each);
      if (readAlready == BlockYaml.WHOLE_FILE) {
        return new Read(false, null);
      }
    }
    JsonParser parser = null;
    try {
      parser = createParser(bytes, scan.json(), scan.start());
      TreeReader reader = new TreeReader(parser, scan.mayHaveAlias());
      int index = 0;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        JsonLocation at = parser.currentTokenLocation();
        int documentIndex = index++;
        if (token == JsonToken.VALUE_NULL
            || (token == JsonToken.VALUE_STRING && parser.getText().isEmpty())) {
          // An empty document: between two "---", only comments, or after a final "---".
          continue;
        }
        if (documentIndex < readAlready) {
          parser.skipChildren();
          continue;
        }
        // YAML is read again from the start of the document's first line (indentation matters);
        // JSON from its first byte, as several values may share a line.
        int offset =
            scan.json() ? scan.start() + (int) at.getByteOffset() : scan.lineStart(at.getLineNr());
        JsonNode root = reader.read();
        each.accept(
            new Document(
                documentIndex,
                new Origin(scan.json(), at.getLineNr(), at.getColumnNr(), offset),
                root,
                reader.written()));
      }
    } catch (Refused e) {
      return new Read(scan.json(), e.problem);
    } catch (JsonProcessingException e) {
      Problems.Problem problem =
          scan.json() ? SyntaxErrors.json(e, parser.getParsingContext()) : SyntaxErrors.yaml(e);
      if (scan.mayHaveTemplate()) {
        problem = Problems.Problem.error(problem.line(), problem.message() + Templates.hint());
      }
      return new Read(scan.json(), problem);
    } catch (IOException e) {
      // Reading from a byte array: only malformed input ends up here.
      return new Read(scan.json(), Problems.Problem.error(1, "cannot read: " + e.getMessage()));
    } finally {
      closeQuietly(parser);
    }
    return new Read(scan.json(), null);
  }

  private static JsonParser createParser(byte[] bytes, boolean json, int offset)
      throws IOException {
    return (json ? JSON : YAML).createParser(bytes, offset, bytes.length - offset);
  }

  private static void closeQuietly(JsonParser parser) {
    if (parser != null) {
      try {
        parser.close();
      } catch (IOException e) {
        // Nothing was opened but a byte array.
      }
    }
  }

  /**
   * The position ({@link Problems#position}) of each field of one document, by path ({@code
   * spec.steps[2].canary}); the document itself is under the empty path. Reads only that document.
   */
  static Map<String, Long> positions(byte[] bytes, Origin origin) {
    Map<String, Long> positions = new HashMap<>();
    int line = origin.line();
    int column = origin.column();
    try (JsonParser parser = createParser(bytes, origin.json(), origin.offset())) {
      if (parser.nextToken() == null) {
        return positions;
      }
      JsonLocation first = parser.currentTokenLocation();
      Shift shift =
          new Shift(first.getLineNr(), line - first.getLineNr(), column - first.getColumnNr());
      positions.put("", shift.apply(first));
      record(parser, "", positions, shift);
    } catch (IOException e) {
      // The document was read once already; if it now fails, fall back on document lines.
    }
    return positions;
  }

  /** Maps positions in a document read on its own back to positions in its file. */
  private record Shift(int firstLine, int lines, int columns) {
    long apply(JsonLocation at) {
      int column = at.getColumnNr() + (at.getLineNr() == firstLine ? columns : 0);
      return Problems.position(at.getLineNr() + lines, column);
    }
  }

  private static void record(
      JsonParser parser, String path, Map<String, Long> positions, Shift shift) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.START_OBJECT) {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String child = Problems.child(path, parser.currentName());
        positions.putIfAbsent(child, shift.apply(parser.currentTokenLocation()));
        parser.nextToken();
        record(parser, child, positions, shift);
      }
    } else if (token == JsonToken.START_ARRAY) {
      int i = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        String child = path + "[" + i++ + "]";
        positions.putIfAbsent(child, shift.apply(parser.currentTokenLocation()));
        record(parser, child, positions, shift);
      }
    }
  }

  /** Builds one document's tree, refusing aliases and runaway nesting with their line. */
  private static final class TreeReader {
    private final JsonParser parser;
    private final YAMLParser yaml;
    // JSON's parser finds duplicate keys itself.
    private final boolean yamlKeys;
    // Positions of the document being read (see Document#written), reused from one to the next.
    private long[] written = new long[64];
    private int count;

    TreeReader(JsonParser parser, boolean mayHaveAlias) {
      this.parser = parser;
      this.yaml = mayHaveAlias && parser instanceof YAMLParser p ? p : null;
      this.yamlKeys = parser instanceof YAMLParser;
    }

    /** Reads the document whose first token is the current one. */
    JsonNode read() throws IOException {
      count = 0;
      mark();
      return read(0);
    }

    /** The positions of the document last read. */
    long[] written() {
      return Arrays.copyOf(written, count);
    }

    private void mark() {
      if (count == written.length) {
        written = Arrays.copyOf(written, count * 2);
      }
      JsonLocation at = parser.currentTokenLocation();
      written[count++] = Problems.position(at.getLineNr(), at.getColumnNr());
    }

    private JsonNode read(int depth) throws IOException {
      JsonToken token = parser.currentToken();
      switch (token) {
        case START_OBJECT -> {
          checkDepth(depth, "mapping");
          ObjectNode node = NODES.objectNode();
          String name;
          while ((name = parser.nextFieldName()) != null) {
            mark();
            if (yamlKeys && node.has(name)) {
              // Jackson's own check, with its words, costs a set per mapping; the node is one.
              throw new JsonParseException(parser, "Duplicate field '" + name + "'");
            }
            parser.nextToken();
            node.replace(name, read(depth + 1));
          }
          return node;
        }
        case START_ARRAY -> {
          checkDepth(depth, "list");
          ArrayNode node = NODES.arrayNode();
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            mark();
            node.add(read(depth + 1));
          }
          return node;
        }
        case VALUE_STRING -> {
          if (yaml != null && yaml.isCurrentAlias()) {
            // Jackson reads an alias as the plain string "name", which would silently change a
            // manifest, so aliases are refused.
            throw new Refused(
                Problems.Problem.error(
                    parser.currentTokenLocation().getLineNr(),
                    "YAML aliases (*name) are not supported; write the value out"));
          }
          return TextNode.valueOf(parser.getText());
        }
        case VALUE_NUMBER_INT -> {
          return switch (parser.getNumberType()) {
            case INT -> IntNode.valueOf(parser.getIntValue());
            case LONG -> LongNode.valueOf(parser.getLongValue());
            default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
          };
        }
        case VALUE_NUMBER_FLOAT -> {
          return DoubleNode.valueOf(parser.getDoubleValue());
        }
        case VALUE_TRUE, VALUE_FALSE -> {
          boolean value = token == JsonToken.VALUE_TRUE;
          String word = parser.getText();
          return word.equals(value ? "true" : "false")
              ? BooleanNode.valueOf(value)
              : new WordBoolean(value, word);
        }
        case VALUE_EMBEDDED_OBJECT -> {
          Object embedded = parser.getEmbeddedObject();
          return embedded instanceof byte[] binary
              ? BinaryNode.valueOf(binary)
              : TextNode.valueOf(String.valueOf(embedded));
        }
        default -> {
          return NullNode.getInstance();
        }
      }
    }

    private void checkDepth(int depth, String what) throws Refused {
      if (depth >= MAX_DEPTH) {
        JsonLocation at = parser.currentTokenLocation();
        throw new Refused(
            Problems.Problem.error(
                at.getLineNr(),
                "nested more than "
                    + MAX_DEPTH
                    + " levels deep: the "
                    + what
                    + " that opens here at column "
                    + at.getColumnNr()
                    + " is level "
                    + (depth + 1)
                    + "; no Kubernetes object is this deep, so look for brackets that are never"
                    + " closed or a generator that ran away"));
      }
    }
  }

  /** Reading stopped at a problem found while building the tree. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    final transient Problems.Problem problem;

    Refused(Problems.Problem problem) {
      super(problem.message());
      this.problem = problem;
    }
  }

  /** Jackson's YAML factory with {@link KubernetesYamlParser}. */
  private static final class KubernetesYamlFactory extends YAMLFactory {
    private static final long serialVersionUID = 1L;

    KubernetesYamlFactory() {
      super(YAMLFactory.builder().streamReadConstraints(CONSTRAINTS));
    }

    @Override
    protected YAMLParser _createParser(byte[] data, int offset, int len, IOContext context)
        throws IOException {
      return new KubernetesYamlParser(
          context,
          _parserFeatures,
          _yamlParserFeatures,
          _loaderOptions,
          _objectCodec,
          _createReader(data, offset, len, null, context));
    }
  }

  /**
   * SnakeYAML's YAML 1.1 resolver leaves out {@code y} and {@code n}, which Kubernetes' YAML
   * library (go-yaml v2) reads as booleans too.
   */
  private static final class KubernetesYamlParser extends YAMLParser {
    // The plain scalars starting with a letter that YAML 1.1 does not read as strings.
    private static final Set<String> SPECIAL_WORDS =
        Set.of(
            "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
            "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL");

    KubernetesYamlParser(
        IOContext context,
        int parserFeatures,
        int yamlFeatures,
        LoaderOptions options,
        ObjectCodec codec,
        Reader reader) {
      super(context, parserFeatures, yamlFeatures, options, codec, reader);
    }

    @Override
    protected JsonToken _decodeScalar(ScalarEvent scalar) throws IOException {
      String value = scalar.getValue();
      if (scalar.isPlain() && scalar.getTag() == null) {
        JsonToken token = plainToken(value);
        if (token != null) {
          // What the superclass sets before it asks the resolver.
          _textValue = value;
          _cleanedTextValue = null;
          return token == JsonToken.VALUE_NUMBER_INT
              ? _decodeNumberScalar(value, value.length())
              : token;
        }
      }
      return super._decodeScalar(scalar);
    }
  }

  /**
   * The token of a plain (unquoted, untagged) scalar when it can be told without SnakeYAML's YAML
   * 1.1 resolver, which tries a regular expression per type on every scalar; null to ask it. Most
   * values of a manifest are told here: words (names, images, apiVersions), paths, whole numbers
   * ({@code replicas: 3}) and quantities ({@code 500m}, {@code 1Gi}).
   */
  static JsonToken plainToken(String value) {
    if (value.isEmpty()) {
      return null;
    }
    char first = value.charAt(0);
    if (value.length() == 1 && (first == 'y' || first == 'Y' || first == 'n' || first == 'N')) {
      return first == 'y' || first == 'Y' ? JsonToken.VALUE_TRUE : JsonToken.VALUE_FALSE;
    }
    if (isLetter(first)) {
      // A string unless it is a boolean or null word.
      return KubernetesYamlParser.SPECIAL_WORDS.contains(value) ? null : JsonToken.VALUE_STRING;
    }
    if (first == '-' || (first >= '0' && first <= '9')) {
      return numberLike(value);
    }
    // The resolver only looks at a scalar whose first character starts one of its types (or an
    // empty one); these start none, so it would answer string.
    return "+.<~=!&*".indexOf(first) < 0 && first > ' ' ? JsonToken.VALUE_STRING : null;
  }

  /**
   * A decimal integer such as {@code 3} or {@code -1} (an int to YAML 1.1 whatever else it could
   * also be), or digits then letters such as {@code 500m} or {@code 20Gi}, which no YAML 1.1 type
   * matches (hex needs {@code 0x}, an exponent needs digits after its {@code e}); null otherwise.
   */
  private static JsonToken numberLike(String value) {
    int start = value.charAt(0) == '-' ? 1 : 0;
    int end = value.length();
    int digits = start;
    while (digits < end && value.charAt(digits) >= '0' && value.charAt(digits) <= '9') {
      digits++;
    }
    if (digits == start || (value.charAt(start) == '0' && digits - start > 1)) {
      return null; // no digits, or a leading zero (octal to YAML 1.1)
    }
    if (digits == end) {
      return JsonToken.VALUE_NUMBER_INT;
    }
    if (start != 0 || value.charAt(0) == '0') {
      return null;
    }
    for (int i = digits; i < end; i++) {
      if (!isLetter(value.charAt(i))) {
        return null;
      }
    }
    return JsonToken.VALUE_STRING;
  }

  private static boolean isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
