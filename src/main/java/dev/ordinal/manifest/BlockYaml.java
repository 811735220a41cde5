package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Reads the plain block style that manifests are written in straight from a file's bytes, to the
 * same documents, trees and positions as {@link YamlDocuments}' reading through Jackson and
 * SnakeYAML, or declines.
 *
 * <p>Why: SnakeYAML's scanner, parser and resolver were four fifths of a bare typed parse of a
 * manifest in the profile, and Ordinal parses every manifest of every app. This reader knows block
 * mappings and sequences, comments, single-line plain and quoted scalars, one-line flow sequences
 * and mappings, literal and folded block scalars under keys, and {@code ---} between documents.
 *
 * <p>Anything else (anchors, aliases, tags, multi-line plain or quoted scalars, kept block scalars,
 * complex keys, tabs, directives, any error) makes it decline from the document where it was found,
 * and SnakeYAML reads the rest of the file, so every message about the file stays SnakeYAML's.
 * {@code BlockYamlDifferentialTest} holds the two readings equal over every YAML file of this
 * repository and over generated variations of them.
 */
final class BlockYaml {
  /** What {@link #read} returns when it read the whole file. */
  static final int WHOLE_FILE = -1;

  // Deep enough for any manifest; deeper is left to the Jackson path and its message.
  private static final int MAX_DEPTH = 200;

  // SnakeYAML refuses a key longer than 1024 characters; well below that, the key is read here.
  private static final int MAX_KEY = 1000;

  // No manifest holds an integer this long; longer ones are left to Jackson and its limit.
  private static final int MAX_NUMBER = 100;

  // SnakeYAML refuses a document over 3,145,728 characters; a file well under that in bytes holds
  // no such document (a character takes at least a byte).
  private static final int MAX_FILE = 3_000_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  // A key with no value reads as the empty string through Jackson's YAML parser, not as null.
  private static final TextNode EMPTY = TextNode.valueOf("");

  /**
   * Unwinds to {@link #read} when the text needs SnakeYAML; it carries nothing, so it is shared.
   */
  private static final class Declined extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Declined() {
      super(null, null, false, false);
    }
  }

  private static final Declined DECLINED = new Declined();

  private final byte[] bytes;
  private final int end;
  // Where each line starts, found once by TextScan.
  private final TextScan scan;
  // The current line: its 1-based number, where it starts, where its text ends (before "\r\n" or
  // "\n") and where its break ends (the next line's start).
  private int line;
  private int lineStart;
  private int contentEnd;
  private int nextLine;
  // The last column counted on the current line, and the byte it was counted for.
  private int columnByte;
  private int columnSoFar;
  // Where the last scalar or flow collection ended on the current line.
  private int scanEnd;
  private long[] written = new long[64];
  private int count;
  private int depth;

  private BlockYaml(byte[] bytes, TextScan scan) {
    this.bytes = bytes;
    this.end = bytes.length;
    this.scan = scan;
    this.line = 0;
    this.nextLine = scan.start();
  }

  /**
   * Reads the documents of {@code bytes} from {@code scan.start()}, handing each to {@code each} as
   * soon as it is read.
   *
   * @return {@link #WHOLE_FILE}, or the index of the first document it declined: the documents
   *     before it were handed on, and reading goes on from that one with SnakeYAML
   */
  static int read(byte[] bytes, TextScan scan, Consumer<YamlDocuments.Document> each) {
    if (bytes.length - scan.start() > MAX_FILE || !scan.onlyNewlines()) {
      // Other breaks end lines and comments where SnakeYAML sees them, and a byte order mark
      // inside the text is SnakeYAML's to judge.
      return 0;
    }
    BlockYaml reader = new BlockYaml(bytes, scan);
    int index = 0;
    boolean explicitOpen = false;
    try {
      reader.advanceLine();
      while (true) {
        reader.skipBlankLines();
        if (reader.atEnd()) {
          return WHOLE_FILE;
        }
        int indent = reader.indent();
        if (indent == 0 && reader.isMarker('-')) {
          if (explicitOpen) {
            index++; // the document the last "---" opened is empty
          }
          reader.endOfLine(reader.lineStart + 3);
          reader.advanceLine();
          explicitOpen = true;
          continue;
        }
        // A document ends only at the file's end or at "---" (see document()), so this is the
        // first document or the one the last "---" opened.
        explicitOpen = false;
        int documentIndex = index;
        YamlDocuments.Document document = reader.document(documentIndex, indent);
        if (document == null) {
          return documentIndex;
        }
        index++;
        each.accept(document);
      }
    } catch (Declined declined) {
      return index;
    }
  }

  /** Reads one document whose first line is the current one; null to decline it. */
  private YamlDocuments.Document document(int index, int indent) {
    int first = lineStart + indent;
    if (!isKeyAhead(first)) {
      return null; // a scalar or sequence document, or something else SnakeYAML should judge
    }
    count = 0;
    depth = 0;
    int documentLine = line;
    int documentColumn = column(first);
    mark(first);
    JsonNode root = blockMapping(indent, first);
    if (!atEnd() && !(indent() == 0 && isMarker('-'))) {
      return null; // "...", or a line less indented than the document's first key
    }
    return new YamlDocuments.Document(
        index,
        new YamlDocuments.Origin(false, documentLine, documentColumn, scan.lineStart(documentLine)),
        root,
        Arrays.copyOf(written, count));
  }

  // ---- lines -----------------------------------------------------------------------------

  private boolean atEnd() {
    return lineStart >= end;
  }

  /** Makes the line after the current one current. */
  private void advanceLine() {
    line++;
    lineStart = nextLine;
    columnByte = lineStart;
    columnSoFar = 1;
    // Every break is "\n" or "\r\n" (see read), so the text ends before them.
    nextLine = line < scan.lineCount() ? scan.lineStart(line + 1) : end;
    int i = nextLine;
    if (i > lineStart && bytes[i - 1] == '\n') {
      i--;
    }
    contentEnd = i > lineStart && bytes[i - 1] == '\r' ? i - 1 : i;
  }

  /** Skips lines holding only spaces or a comment. */
  private void skipBlankLines() {
    while (!atEnd()) {
      int i = skipSpaces(lineStart);
      if (i < contentEnd && bytes[i] != '#') {
        return;
      }
      advanceLine();
    }
  }

  /** The spaces before the current line's text. */
  private int indent() {
    return skipSpaces(lineStart) - lineStart;
  }

  /** Whether the current line is "---" or "..." ({@code c} three times) and a break or space. */
  private boolean isMarker(char c) {
    int i = lineStart;
    return i + 3 <= contentEnd
        && bytes[i] == c
        && bytes[i + 1] == c
        && bytes[i + 2] == c
        && (i + 3 == contentEnd || bytes[i + 3] == ' ');
  }

  private int skipSpaces(int i) {
    while (i < contentEnd && bytes[i] == ' ') {
      i++;
    }
    if (i < contentEnd && (bytes[i] == '\t' || bytes[i] == '\r')) {
      throw DECLINED;
    }
    return i;
  }

  /** Requires only spaces or a comment from {@code i} to the end of the line. */
  private void endOfLine(int i) {
    int after = skipSpaces(i);
    if (after < contentEnd && (bytes[after] != '#' || after == i)) {
      throw DECLINED;
    }
  }

  /** Moves to the next line with text, after the value that ended at {@code i}. */
  private void nextContent(int i) {
    endOfLine(i);
    advanceLine();
    skipBlankLines();
  }

  /** Whether the next line with text is a document marker, which ends every block. */
  private boolean atMarker() {
    return atEnd() || ((isMarker('-') || isMarker('.')) && indent() == 0);
  }

  // ---- positions -------------------------------------------------------------------------

  /**
   * The 1-based column of byte {@code i} of the current line, counted in characters. Counting goes
   * on from the last column asked for, as marks go left to right: a long flow sequence on one line
   * would otherwise cost the square of its length.
   */
  private int column(int i) {
    if (i < columnByte) {
      columnByte = lineStart;
      columnSoFar = 1;
    }
    int column = columnSoFar;
    for (int k = columnByte; k < i; k++) {
      if ((bytes[k] & 0xC0) != 0x80) {
        column++;
      }
    }
    columnByte = i;
    columnSoFar = column;
    return column;
  }

  private void mark(int i) {
    if (count == written.length) {
      written = Arrays.copyOf(written, count * 2);
    }
    written[count++] = Problems.position(line, column(i));
  }

  // ---- blocks ----------------------------------------------------------------------------

  /** A block mapping whose keys sit at {@code indent}; the first one is at {@code first}. */
  private ObjectNode blockMapping(int indent, int first) {
    enter();
    ObjectNode node = NODES.objectNode();
    int key = first;
    while (true) {
      String name = key(key);
      if (name == null || node.has(name)) {
        throw DECLINED; // not a key where one must be, or a duplicate (SnakeYAML's message)
      }
      mark(key);
      node.set(name, mappingValue(indent, scanEnd));
      if (atMarker()) {
        break;
      }
      int next = indent();
      if (next < indent) {
        break;
      }
      if (next > indent) {
        throw DECLINED; // a continued plain scalar, or an error
      }
      key = lineStart + next;
    }
    depth--;
    return node;
  }

  /** The value after a key's ':' at {@code i}, leaving the next line with text current. */
  private JsonNode mappingValue(int indent, int i) {
    int at = skipSpaces(i);
    if (at < contentEnd && (bytes[at] == '|' || bytes[at] == '>')) {
      JsonNode value = blockScalar(indent, at);
      skipBlankLines();
      return value;
    }
    if (at < contentEnd && bytes[at] != '#') {
      JsonNode value = inline(at);
      nextContent(scanEnd);
      return value;
    }
    nextContent(i);
    if (atMarker()) {
      return EMPTY;
    }
    int next = indent();
    int start = lineStart + next;
    if (next > indent) {
      return isEntry(start) ? blockSequence(next, false) : nestedMapping(next, start);
    }
    if (next == indent && isEntry(start)) {
      return blockSequence(next, true); // "key:" then "- item" at the key's own indent
    }
    return EMPTY;
  }

  private ObjectNode nestedMapping(int indent, int start) {
    if (!isKeyAhead(start)) {
      throw DECLINED; // a scalar on the line after its key
    }
    return blockMapping(indent, start);
  }

  /** Whether {@code i} is a block sequence entry: '-' then a space or the line's end. */
  private boolean isEntry(int i) {
    return i < contentEnd && bytes[i] == '-' && (i + 1 == contentEnd || bytes[i + 1] == ' ');
  }

  /**
   * A block sequence whose entries sit at {@code indent}; {@code underKey} when it is a mapping
   * value at the key's own indent, where a line at that indent that is not an entry goes on with
   * the mapping.
   */
  private ArrayNode blockSequence(int indent, boolean underKey) {
    enter();
    ArrayNode node = NODES.arrayNode();
    while (true) {
      int at = skipSpaces(lineStart + indent + 1);
      if (at >= contentEnd || bytes[at] == '#' || isEntry(at)) {
        throw DECLINED; // an empty or nested entry: rare, and SnakeYAML places them its own way
      }
      node.add(entry(at));
      if (atMarker()) {
        break;
      }
      int next = indent();
      if (next == indent && isEntry(lineStart + next)) {
        continue;
      }
      if (next < indent || (next == indent && underKey)) {
        break;
      }
      throw DECLINED;
    }
    depth--;
    return node;
  }

  /** One sequence entry whose text starts at {@code at}: a compact mapping or a value. */
  private JsonNode entry(int at) {
    if (isKeyAhead(at)) {
      mark(at);
      return blockMapping(at - lineStart, at);
    }
    mark(at);
    JsonNode value = inline(at);
    nextContent(scanEnd);
    return value;
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw DECLINED;
    }
  }

  /**
   * A block scalar, literal ({@code |}) or folded ({@code >}), clipped or stripped ({@code -}), as
   * a mapping value under keys at {@code indent}; the header is at {@code header}. It leaves
   * current the first line after it with text. Keeping ({@code +}), an indentation digit, leading
   * blank lines, tabs and an empty scalar are left to SnakeYAML.
   *
   * <p>As SnakeYAML reads it: lines lose the first line's indentation; a line more indented keeps
   * the rest. Literal lines are joined by breaks. Folded lines are joined by a space when both
   * start with a non-space and no blank line is between them, and by their breaks otherwise. Blank
   * lines between are breaks. A clipped scalar ends with its last line's break, if it has one.
   */
  private JsonNode blockScalar(int indent, int header) {
    boolean folded = bytes[header] == '>';
    int after = header + 1;
    boolean strip = after < contentEnd && bytes[after] == '-';
    if (strip) {
      after++;
    }
    if (after < contentEnd && bytes[after] != ' ' && bytes[after] != '#') {
      throw DECLINED; // keep (+), an indentation digit, or text
    }
    endOfLine(after);
    advanceLine();
    int first = skipSpaces(lineStart);
    int lines = first - lineStart;
    if (atEnd() || first >= contentEnd || lines <= indent) {
      throw DECLINED; // no lines, a blank line first, or an empty scalar
    }
    StringBuilder text = new StringBuilder();
    boolean leadingNonSpace = false;
    int blanks = 0;
    boolean started = false;
    while (true) {
      int start = lineStart + lines;
      for (int k = start; k < contentEnd; k++) {
        if (bytes[k] == '\t') {
          throw DECLINED;
        }
      }
      boolean nonSpace = start < contentEnd && bytes[start] != ' ';
      if (started) {
        if (folded && leadingNonSpace && nonSpace) {
          if (blanks == 0) {
            text.append(' ');
          }
        } else {
          text.append('\n');
        }
        text.append("\n".repeat(blanks));
      }
      started = true;
      leadingNonSpace = nonSpace;
      text.append(new String(bytes, start, contentEnd - start, StandardCharsets.UTF_8));
      boolean hasBreak = nextLine > contentEnd;
      // The lines after: blank ones (spaces up to the indentation) are breaks; a line with more
      // spaces or more text goes on; anything less indented ends the scalar.
      blanks = 0;
      advanceLine();
      boolean goesOn = false;
      while (!atEnd()) {
        int spaces = 0;
        while (lineStart + spaces < contentEnd && bytes[lineStart + spaces] == ' ') {
          spaces++;
        }
        if (lineStart + spaces < contentEnd && bytes[lineStart + spaces] == '\t') {
          throw DECLINED; // where a tab counts as indentation is SnakeYAML's to judge
        }
        int length = contentEnd - lineStart;
        if (spaces == length && length <= lines) {
          blanks++;
          advanceLine();
          continue;
        }
        goesOn = spaces >= lines;
        break;
      }
      if (!goesOn) {
        if (!strip && hasBreak) {
          text.append('\n');
        }
        return TextNode.valueOf(text.toString());
      }
    }
  }

  // ---- keys ------------------------------------------------------------------------------

  /** Whether a key (then ':' and a space or the line's end) starts at {@code i}. */
  private boolean isKeyAhead(int i) {
    return key(i) != null;
  }

  /**
   * The key at {@code i}, with {@link #scanEnd} just after its ':'; null when there is none. Plain
   * keys are limited to the characters of Kubernetes' names, labels and fields.
   */
  private String key(int i) {
    String name;
    int after;
    if (i < contentEnd && (bytes[i] == '"' || bytes[i] == '\'')) {
      name = quoted(i);
      after = skipSpaces(scanEnd);
      if (after - i > MAX_KEY) {
        throw DECLINED; // SnakeYAML counts to the ':', spaces included
      }
    } else {
      int k = i;
      if (k < contentEnd && isKeyStart(bytes[k])) {
        k++;
        while (k < contentEnd && isKeyPart(bytes[k])) {
          k++;
        }
      }
      if (k == i || k - i > MAX_KEY) {
        return null;
      }
      name = null;
      after = k;
    }
    if (after >= contentEnd
        || bytes[after] != ':'
        || (after + 1 < contentEnd && bytes[after + 1] != ' ')) {
      return null;
    }
    scanEnd = after + 1;
    return name != null ? name : KeyStrings.of(bytes, i, after);
  }

  private static boolean isKeyStart(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
  }

  private static boolean isKeyPart(byte b) {
    return isKeyStart(b) || b == '.' || b == '-' || b == '/';
  }

  // ---- scalars and flow collections -------------------------------------------------------

  /** A value that starts on this line at {@code i}; {@link #scanEnd} is set after it. */
  private JsonNode inline(int i) {
    byte b = bytes[i];
    switch (b) {
      case '"', '\'' -> {
        return TextNode.valueOf(quoted(i));
      }
      case '[' -> {
        return flowSequence(i);
      }
      case '{' -> {
        return flowMapping(i);
      }
      default -> {
        return plain(i);
      }
    }
  }

  /**
   * A plain scalar in block context: to the line's end or a comment. Those that start with an
   * indicator, hold ": " or end with ':' are left to SnakeYAML.
   */
  private JsonNode plain(int i) {
    byte first = bytes[i];
    if ("?:,[]{}#&*!|>'\"%@`".indexOf(first) >= 0
        || (first == '-' && (i + 1 == contentEnd || bytes[i + 1] == ' '))) {
      throw DECLINED;
    }
    int k = i;
    int last = i; // just after the last non-space
    boolean ascii = true;
    while (k < contentEnd) {
      byte b = bytes[k];
      if (b == ' ') {
        if (k + 1 < contentEnd && bytes[k + 1] == '#') {
          break;
        }
      } else {
        if (b == ':' && (k + 1 == contentEnd || bytes[k + 1] == ' ')) {
          throw DECLINED;
        }
        if (b < 0) {
          ascii = false;
        } else if (b == '\t' || b == '\r') {
          throw DECLINED;
        }
        last = k + 1;
      }
      k++;
    }
    scanEnd = last;
    return scalar(ascii ? ascii(i, last) : new String(bytes, i, last - i, StandardCharsets.UTF_8));
  }

  /** The plain scalars of a flow sequence: Kubernetes words such as {@code ReadWriteOnce}. */
  private JsonNode flowPlain(int i) {
    int k = i;
    while (k < contentEnd && isKeyPart(bytes[k])) {
      k++;
    }
    if (k == i) {
      throw DECLINED;
    }
    scanEnd = k;
    return scalar(ascii(i, k));
  }

  /** A flow sequence on one line, of plain words, quoted scalars and flow collections. */
  private ArrayNode flowSequence(int open) {
    ArrayNode node = NODES.arrayNode();
    flowEntries(
        open,
        (byte) ']',
        i -> {
          mark(i);
          node.add(flowValue(i));
        });
    return node;
  }

  /**
   * A flow mapping on one line: {@code {replicas: 1}}, {@code {app.kubernetes.io/name: db}}. Keys
   * are plain Kubernetes words or quoted, each followed by ": "; values as in a flow sequence.
   */
  private ObjectNode flowMapping(int open) {
    ObjectNode node = NODES.objectNode();
    flowEntries(open, (byte) '}', i -> flowPair(node, i));
    return node;
  }

  /**
   * Reads the entries of the flow collection opened at {@code open} up to {@code close}, handing
   * the start of each to {@code entry}, which reads it and leaves {@link #scanEnd} after it.
   */
  private void flowEntries(int open, byte close, IntConsumer entry) {
    enter();
    int i = skipSpaces(open + 1);
    while (i >= contentEnd || bytes[i] != close) {
      if (i >= contentEnd) {
        throw DECLINED;
      }
      entry.accept(i);
      i = skipSpaces(scanEnd);
      if (i >= contentEnd || (bytes[i] != ',' && bytes[i] != close)) {
        throw DECLINED;
      }
      if (bytes[i] == ',') {
        i = skipSpaces(i + 1);
        if (i < contentEnd && bytes[i] == close) {
          throw DECLINED; // a trailing comma
        }
      }
    }
    scanEnd = i + 1;
    depth--;
  }

  /** One {@code key: value} of a flow mapping, its key at {@code keyStart}. */
  private void flowPair(ObjectNode node, int keyStart) {
    String name;
    if (bytes[keyStart] == '"' || bytes[keyStart] == '\'') {
      name = quoted(keyStart);
    } else {
      int k = keyStart;
      if (isKeyStart(bytes[k])) {
        k++;
        while (k < contentEnd && isKeyPart(bytes[k])) {
          k++;
        }
      }
      if (k == keyStart) {
        throw DECLINED;
      }
      name = KeyStrings.of(bytes, keyStart, k);
      scanEnd = k;
    }
    int colon = scanEnd;
    if (colon - keyStart > MAX_KEY
        || colon + 1 >= contentEnd
        || bytes[colon] != ':'
        || bytes[colon + 1] != ' '
        || node.has(name)) {
      throw DECLINED; // "a:b", "a :", a missing value, or a duplicate key
    }
    mark(keyStart);
    int value = skipSpaces(colon + 1);
    if (value >= contentEnd) {
      throw DECLINED;
    }
    node.set(name, flowValue(value));
  }

  /** A value inside a flow collection, starting at {@code i}. */
  private JsonNode flowValue(int i) {
    byte b = bytes[i];
    if (b == '"' || b == '\'') {
      return TextNode.valueOf(quoted(i));
    }
    if (b == '[') {
      return flowSequence(i);
    }
    if (b == '{') {
      return flowMapping(i);
    }
    return flowPlain(i);
  }

  /**
   * A quoted scalar closed on its own line, with {@link #scanEnd} after the closing quote. Double
   * quotes take the escapes {@code \" \\ \n \t}; others are left to SnakeYAML.
   */
  private String quoted(int open) {
    byte quote = bytes[open];
    StringBuilder escaped = null;
    int from = open + 1;
    boolean ascii = true;
    int k = from;
    while (true) {
      if (k >= contentEnd) {
        throw DECLINED; // continues on the next line
      }
      byte b = bytes[k];
      if (b == quote) {
        if (quote == '\'' && k + 1 < contentEnd && bytes[k + 1] == '\'') {
          escaped = append(escaped, from, k + 1, ascii);
          ascii = true;
          k += 2;
          from = k;
          continue;
        }
        break;
      }
      if (b == '\\' && quote == '"') {
        if (k + 1 >= contentEnd) {
          throw DECLINED;
        }
        char c =
            switch (bytes[k + 1]) {
              case '"' -> '"';
              case '\\' -> '\\';
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> throw DECLINED;
            };
        escaped = append(escaped, from, k, ascii);
        escaped.append(c);
        ascii = true;
        k += 2;
        from = k;
        continue;
      }
      if (b < 0) {
        ascii = false;
      } else if (b == '\t' || b == '\r') {
        throw DECLINED;
      }
      k++;
    }
    scanEnd = k + 1;
    if (escaped == null) {
      return ascii ? ascii(from, k) : new String(bytes, from, k - from, StandardCharsets.UTF_8);
    }
    return append(escaped, from, k, ascii).toString();
  }

  private StringBuilder append(StringBuilder to, int from, int until, boolean ascii) {
    StringBuilder builder = to != null ? to : new StringBuilder();
    return builder.append(
        ascii ? ascii(from, until) : new String(bytes, from, until - from, StandardCharsets.UTF_8));
  }

  private String ascii(int from, int until) {
    return new String(bytes, from, until - from, StandardCharsets.ISO_8859_1);
  }

  /**
   * A plain scalar as {@code YamlDocuments}' parser types it: its quick answers first, then the
   * YAML 1.1 words for booleans and null. What would need SnakeYAML's resolver (floats, octal,
   * dates...) is declined.
   */
  private static JsonNode scalar(String text) {
    JsonToken token = YamlDocuments.plainToken(text);
    if (token == JsonToken.VALUE_STRING) {
      return TextNode.valueOf(text);
    }
    if (token == JsonToken.VALUE_NUMBER_INT) {
      return number(text);
    }
    if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
      return new WordBoolean(token == JsonToken.VALUE_TRUE, text);
    }
    return switch (text) {
      case "true" -> BooleanNode.TRUE;
      case "false" -> BooleanNode.FALSE;
      case "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" -> new WordBoolean(true, text);
      case "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" -> new WordBoolean(false, text);
      case "null", "Null", "NULL", "~" -> NullNode.getInstance();
      default -> throw DECLINED;
    };
  }

  /** A decimal integer as the smallest of int, long and BigInteger that holds it. */
  private static JsonNode number(String text) {
    if (text.length() > MAX_NUMBER) {
      throw DECLINED; // Jackson refuses numbers over 1,000 characters, and BigInteger is slow
    }
    if (text.length() <= 9) {
      return IntNode.valueOf(Integer.parseInt(text));
    }
    try {
      long value = Long.parseLong(text);
      return value == (int) value ? IntNode.valueOf((int) value) : LongNode.valueOf(value);
    } catch (NumberFormatException e) {
      return BigIntegerNode.valueOf(new BigInteger(text));
    }
  }
}
