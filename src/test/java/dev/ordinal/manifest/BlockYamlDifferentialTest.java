package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockYaml} must read a file exactly as SnakeYAML does through Jackson (the same documents,
 * node types, values, positions and problem) or decline. Compared over every YAML file of this
 * repository (the malformed corpus among them) and over seeded variations of each: lines dropped,
 * re-indented or duplicated, values swapped for tricky scalars, documents joined, CRLF breaks.
 */
class BlockYamlDifferentialTest {

  // Values that are easy to read differently: YAML 1.1 words, numbers at type edges, things only
  // SnakeYAML reads (declined here), and errors.
  private static final List<String> TRICKY_VALUES =
      List.of(
          "yes",
          "No",
          "ON",
          "off",
          "y",
          "N",
          "True",
          "FALSE",
          "~",
          "null",
          "Null",
          "0.5",
          "012",
          "0x1F",
          "-0",
          "0",
          "-1",
          "2147483647",
          "2147483648",
          "-2147483648",
          "-2147483649",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775809",
          "123456789012345678901234567890",
          "1e3",
          "1_000",
          "+1",
          ".5",
          "2024-01-01",
          "500m",
          "1Gi",
          "-5m",
          "'it''s'",
          "''",
          "\"\"",
          "\"a\\tb\\\"c\\\\d\\/e\\nf\"",
          "\"\\u00e9\"",
          "\"\\x41\"",
          "\"é ✓ 😀\"",
          "é",
          "😀 x",
          "a #b",
          "a#b",
          "a: b",
          "a:",
          "a:b",
          "http://x:80/y",
          "[a, b]",
          "[ a ,b ]",
          "[a, [b, c]]",
          "[]",
          "[ ]",
          "[a,]",
          "[a",
          "['x', \"y\"]",
          "[1, yes]",
          "{}",
          "{ }",
          "{a: b}",
          "{a: 1, b: [x, {c: d}]}",
          "{a:1}",
          "{a: }",
          "{a: 1,}",
          "|",
          "|-",
          ">",
          "&x a",
          "*x",
          "!!str 1",
          "!x y",
          "@x",
          "`x",
          "-",
          "- a",
          "? x",
          ":x",
          "-x",
          "--flag=1",
          "%x",
          "a\tb",
          "\"open",
          "'open",
          "x ",
          "<<",
          "= ",
          "=",
          "<x",
          "a ]",
          "a, b",
          "x # y: z",
          "\"a\" # c",
          "\"a\"b",
          "'a'#c");

  private static final List<String> TRICKY_LINES =
      List.of(
          "---",
          "...",
          "--- # c",
          "--- x",
          "%YAML 1.1",
          "# comment",
          "",
          "   ",
          "  # indented",
          "key: value",
          "key:",
          "- item",
          "-",
          "  - item",
          "dup: 1",
          "dup: 2",
          "\tkey: tab",
          "\"quoted key\": 1",
          "'single': 2",
          "k\u00e9y: v",
          "a b: c",
          "a : b",
          "? complex",
          ": nothing",
          "key: |",
          "  block text",
          "key: >-",
          "anchor: &a {x: 1}",
          "alias: *a",
          "<<: *a",
          "text: one",
          "  two",
          "x: [a,",
          "  b]");

  private record Reading(List<YamlDocuments.Document> documents, YamlDocuments.Read read) {}

  private static Reading read(byte[] bytes, boolean blockYaml) {
    List<YamlDocuments.Document> documents = new ArrayList<>();
    YamlDocuments.Read read = YamlDocuments.read(bytes, documents::add, blockYaml);
    return new Reading(documents, read);
  }

  /** Whether BlockYaml read every document of {@code bytes} itself. */
  private static boolean readWhole(byte[] bytes) {
    TextScan scan = TextScan.of(bytes);
    return scan.problem() == null
        && !scan.json()
        && BlockYaml.read(bytes, scan, document -> {}) == BlockYaml.WHOLE_FILE;
  }

  private static void assertSameReading(String name, byte[] bytes) {
    Reading expected = read(bytes, false);
    Reading actual = read(bytes, true);
    String context = name + ":\n" + new String(bytes, StandardCharsets.UTF_8);
    assertEquals(expected.read(), actual.read(), context);
    assertEquals(expected.documents().size(), actual.documents().size(), context);
    for (int i = 0; i < expected.documents().size(); i++) {
      YamlDocuments.Document want = expected.documents().get(i);
      YamlDocuments.Document got = actual.documents().get(i);
      String where = context + "\ndocument " + i;
      assertEquals(want.index(), got.index(), where);
      assertEquals(want.origin(), got.origin(), where);
      assertSameTree(want.root(), got.root(), "", where);
      if (!Arrays.equals(want.written(), got.written())) {
        fail(
            where
                + "\npositions differ:\n  SnakeYAML "
                + describe(want.written())
                + "\n  BlockYaml "
                + describe(got.written()));
      }
    }
  }

  private static String describe(long[] positions) {
    StringBuilder out = new StringBuilder();
    for (long p : positions) {
      out.append(p >>> 32).append(':').append((int) p).append(' ');
    }
    return out.toString();
  }

  /** Same node classes, values and field order all the way down. */
  private static void assertSameTree(JsonNode want, JsonNode got, String path, String where) {
    if (want.getClass() != got.getClass()) {
      fail(
          where
              + "\nat '"
              + path
              + "': "
              + want.getClass()
              + " "
              + want
              + " against "
              + got.getClass()
              + " "
              + got);
    }
    if (want.isObject()) {
      List<String> wantNames = new ArrayList<>();
      want.fieldNames().forEachRemaining(wantNames::add);
      List<String> gotNames = new ArrayList<>();
      got.fieldNames().forEachRemaining(gotNames::add);
      assertEquals(wantNames, gotNames, where + "\nat '" + path + "'");
      Iterator<Map.Entry<String, JsonNode>> fields = want.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        assertSameTree(
            field.getValue(), got.get(field.getKey()), path + "." + field.getKey(), where);
      }
    } else if (want.isArray()) {
      assertEquals(want.size(), got.size(), where + "\nat '" + path + "'");
      for (int i = 0; i < want.size(); i++) {
        assertSameTree(want.get(i), got.get(i), path + "[" + i + "]", where);
      }
    } else {
      assertEquals(want, got, where + "\nat '" + path + "'");
      assertEquals(want.asText(), got.asText(), where + "\nat '" + path + "'");
    }
  }

  static List<Path> repositoryYaml() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("."))) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> !p.startsWith("./target") && !p.startsWith("./.git"))
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    }
  }

  @Test
  void readsEveryRepositoryFileAsSnakeYamlDoes() throws IOException {
    List<Path> files = repositoryYaml();
    assertTrue(files.size() > 200, "found only " + files.size() + " YAML files");
    int whole = 0;
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      assertSameReading(file.toString(), bytes);
      if (readWhole(bytes)) {
        whole++;
      }
    }
    System.out.printf("BlockYaml read %d of %d repository YAML files whole%n", whole, files.size());
    // Not a speed figure: without this the comparison could pass with BlockYaml declining all.
    assertTrue(whole > files.size() / 2, "BlockYaml read only " + whole + " files whole");
  }

  @Test
  void readsTheBenchmarkStatefulSetWhole() throws IOException {
    byte[] bytes =
        Files.readAllBytes(Path.of("src/test/resources/dev/ordinal/plan/desired-statefulset.yaml"));
    assertTrue(readWhole(bytes));
    assertSameReading("desired-statefulset.yaml", bytes);
  }

  @Test
  void readsVariationsAsSnakeYamlDoes() throws IOException {
    Random random = new Random(20261203);
    int compared = 0;
    int whole = 0;
    for (Path file : repositoryYaml()) {
      // Leniently: the malformed corpus holds files that are not UTF-8 on purpose.
      String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      for (int v = 0; v < 12; v++) {
        String variant = vary(text, random);
        byte[] bytes = variant.getBytes(StandardCharsets.UTF_8);
        assertSameReading(file + " variation " + v, bytes);
        compared++;
        if (readWhole(bytes)) {
          whole++;
        }
      }
    }
    System.out.printf("BlockYaml read %d of %d variations whole%n", whole, compared);
    assertTrue(compared > 2000, "compared only " + compared);
    assertTrue(whole > compared / 4, "BlockYaml read only " + whole + " variations whole");
  }

  @Test
  void readsEdgeCasesAsSnakeYamlDoes() {
    List<String> cases = new ArrayList<>();
    for (String value : TRICKY_VALUES) {
      cases.add("a: " + value + "\nb: 1\n");
      cases.add("list:\n  - " + value + "\n  - x\n");
      cases.add("list:\n- " + value + "\nnext: 2\n");
    }
    // The tricky values inside one-line flow mappings (as values, keys and in flow sequences)
    // and as the lines of literal and folded block scalars.
    for (String value : TRICKY_VALUES) {
      cases.add("a: {k: " + value + "}\nb: 1\n");
      cases.add("a: {k: " + value + ", j: [" + value + ", {i: " + value + "}]}\n");
      cases.add("a: {" + value + ": 1}\n");
      cases.add("l:\n- {k: " + value + "}\n- [" + value + "]\n");
      cases.add("a: |\n  " + value + "\n  " + value + "\nb: 1\n");
      cases.add("a: >-\n  " + value + "\n  " + value + "\n\n  " + value + "\n");
      cases.add("l:\n- k: >\n    " + value + "\n  j: " + value + "\n");
    }
    cases.addAll(
        List.of(
            "",
            "# only a comment\n",
            "---\n",
            "---\n---\n",
            "a: 1\n---\n",
            "a: 1\n---\nb: 2\n",
            "---\na: 1\n---\n\n---\nb: 2\n",
            "a: 1\n...\n",
            "a: 1\n---\nb: [\n",
            "a: 1\nb: 2\n---\n- x\n---\nc: 3\n",
            "  a: 1\n  b: 2\n",
            "  a: 1\nb: 2\n",
            "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n",
            "a:\n- b: 1\n  c: 2\n- d: 3\n",
            "a:\n  - b: 1\n    c:\n    - x\n    - y\n  - e\n",
            "a:\n  -   b: 1\n      c: 2\n",
            "a:\n  -\n    b: 1\n",
            "a:\n  - - x\n",
            "a:\n  -\n",
            "a: 1\n  b: 2\n",
            "a: x\n  y\n",
            "a:\n  x\n",
            "a: 1\r\nb:\r\n  - x\r\n",
            "a: 1\rb: 2\n",
            "\uFEFFa: 1\n",
            "a: 1\nb: 2",
            "a: 1 # c\nb: 'x' # c\nc: [a] # c\n",
            "\"a\": 1\n'b': 2\n\"a b\": 3\n",
            "\"é😀\": x\nb: 😀 y\n",
            "x:\n  \"é😀\": [a, 'é', b]\n",
            "a: 1\na: 2\n",
            "a:\n  b: 1\n  b: 2\n",
            "a: {}\nb: []\nc: { }\n",
            "a: [[a, b], [c]]\n",
            "a: b: c\n",
            "a: \"x\" y\n",
            "- a\n- b\n",
            "scalar\n",
            "a: 1\n# c\n  # c\nb: 2\n",
            "a:\n\n  b: 1\n\n\nc: 2\n",
            "a: 1\n---\n--- # two\nb: 2\n",
            // Block scalars: literal and folded, clipped, stripped, kept, with blank lines, more
            // indented lines, comments, markers and the file's end.
            "a: |\n  x\n  y\nb: 1\n",
            "a: |-\n  x\n  y\nb: 1\n",
            "a: >\n  x\n  y\nb: 1\n",
            "a: >-\n  x\n  y\n\n  z\nb: 1\n",
            "a: >\n  x\n    more\n  y\n\n\n  z\n\n\nb: 1\n",
            "a: |\n  x\n    more\n\n  y\n\n",
            "a: |+\n  x\n\nb: 1\n",
            "a: |2\n  x\n",
            "a: >1-\n  x\n",
            "a: |\n\n  x\n",
            "a: |\n    \n  x\n",
            "a: |\nb: 1\n",
            "a: |\n",
            "a: |",
            "a: |\n  x",
            "a: >-\n  x\n  y",
            "a: | # c\n  x\n",
            "a: |#c\n  x\n",
            "a: |x\n  x\n",
            "a: |\n  # not a comment\n  x: y\n # a comment\nb: 1\n",
            "a: |\n  x\n   \n  y\n",
            "a: |\n  x\n      \n  y\n",
            "a: >\n  x\n      \n  y\n",
            "a: >\n  x\n   y\n  z\n",
            "a: >\n   x\n  y\n",
            "a: |\n  x\n---\nb: 1\n",
            "a: |\n  x\n...\n",
            "a: |\r\n  x\r\n  y\r\nb: 1\r\n",
            "a: |\n  x\ty\n",
            "a: |\n  \u00e9\ud83d\ude00 x\nb: [c, d]\n",
            "a:\n  b: |\n    x\n  c: >-\n    y\n    z\nd: 1\n",
            "l:\n- a: |\n    x\n  b: 1\n- c\n",
            "l:\n  - |\n    x\n",
            "a: |\n  x\n y\n",
            "a: |\n    x\n  y\n",
            "a: >\n  x\n\n\n",
            "a: |-\n  x\n\n\n",
            // Breaks other than "\n" and "\r\n" right after a value, and byte order marks in text:
            // BlockYaml leaves such files to SnakeYAML.
            "a: x\u2028b: 1\n",
            "a: x\u0085b: 1\n",
            "a: x\u2029b: 1\n",
            "a: x\rb: 1\n",
            "a: [x]\u2028b: 1\n",
            "a: |\n  x\u2028  y\nb: 1\n",
            "a: x\uFEFFy\n",
            "a: 1\n\uFEFFb: 2\n",
            // One-line flow mappings, as the examples and policies write them.
            "a: {b: 1}\n",
            "a: {b: 1, c: [x, y], d: {e: f}}\nz: 1\n",
            "- {a: 1}\n",
            "l:\n  - {a: 1}\n  - {b: [c]}\n",
            "a: [{b: 1}, {c: 2}, {}]\n",
            "a: {b:1}\n",
            "a: {b: }\n",
            "a: {b: 1,}\n",
            "a: {\"b\": 1, 'c': 2}\n",
            "a: {\"b\":1}\n",
            "a: {b: 1, b: 2}\n",
            "a: {b : 1}\n",
            "a: { b: 1 ,c: 2 }\n",
            "a: {b: yes, c: ~, d: 012, e: null, f: -1, g: 2147483648}\n",
            "a: {b: 'x y', c: \"\"}\n",
            "a: {b: x y}\n",
            "a: {? b}\n",
            "a: {b: 1} # c\n",
            "a: {b: 1}x\n",
            "a: {b: 1}#x\n",
            "steps:\n  - canary: {replicas: 1}\n  - pause: {duration: 2m}\n  - pause: {}\n",
            "a: {b: [1, {c: d}]}\n",
            "metadata:\n  labels: {app.kubernetes.io/name: ordinal}\n",
            "a: {b: 1\n",
            "a: {b: 1,\n  c: 2}\n",
            "a: {b: -}\n",
            "a: {b: c: d}\n",
            "a: {b: [}\n",
            "a: {\u00e9: 1}\n",
            "x:\n  \"\u00e9\ud83d\ude00\": {b: 1, c: {d: e}}\n",
            "[{a: 1}]\n",
            "\"a\" : 1\n",
            "\"\": 1\n",
            "'': 1\n",
            "\"a\": 1\n\"a\": 2\n",
            "\"a\": 1\na: 2\n",
            "x:\n  \"a\"   : 1\n  b: 2\n",
            "- \"a\" : 1\n",
            "l:\n- \"a\" : 1\n  b: 2\n",
            "y: 1\nn: 2\nyes: 3\nnull: 4\n1: 5\n0x1: 6\n012: 7\n",
            "a.b/c-d_e: 1\n",
            "a-: 1\n_: 2\n",
            "a: 1000000000\n",
            "a: -1000000000\n",
            "a: 1000000000000000000\n",
            "a: -9223372036854775808\n",
            "a: 99999999999999999999\n",
            "a: 1\n\uFEFF---\nb: 2\n",
            "a: 1\n---\n\uFEFFb: 2\n",
            "a: x\uFEFF\n",
            "a: 1 # \uFEFF\nb: 2\n",
            "\uFEFF\uFEFFa: 1\n",
            "a: 1\n--- # c\r\nb: 2\n",
            "a: ['\uD83D\uDE00', b]\n",
            "\"\uD83D\uDE00\": [a, '\uD83D\uDE00\uD83D\uDE00', b]\n",
            "l:\n- '\uD83D\uDE00': [x]\n  b: [y, z]\n",
            "a: \u00A0\n",
            "a: x\u00A0\n",
            "a: x\u00A0#c\n",
            "a: \u3000x\n",
            "a: \u2713 # c\u2713\nb: 1\n",
            "\"a\\\"b\": 1\n",
            "'a''b': [x, 'y''z']\n",
            "a: \"\\\\\"\n",
            "a: 'x' \n",
            "a: [a , b ]\n",
            "a: [ 'x' ]\n",
            "a: [y, n, Yes, NULL, 012]\n",
            "a: [-1, 0, 2147483648, -0]\n",
            "a:\n- b:\n  - c\n  d: 1\n- e\n",
            "a:\n  - b: 1\n\n    # c\n    c: 2\n",
            "a: x\n\n\n---\n\n\nb: y\n",
            "--- # c\n\n# d\na: 1\n---\n---\n",
            "a: 1 #c\nb: 2 # c # d\n",
            "a: x#y\n",
            "a: \"x\"  # c\n",
            "key: value with spaces   \n",
            "a: 1\n\t\n",
            "a: 1\n \n",
            "a: 1\r\n\r\nb: 2\r\n",
            "a:\r\n- x\r\n- y\r\n",
            "a: 1\n...\n---\nb: 2\n",
            "\u00E4: 1\n",
            "a: 1\n--- \nb: 2\n",
            "a: '\uD83D\uDE00''\uD83D\uDE00'\n",
            "\"\uD83D\uDE00\uD83D\uDE00\" : [a, b]\n",
            "a: [\"\\t\", 'x']\n",
            "a:\n  b: 1\n # c\n  c: 2\n",
            "a:\n    - x\n    # c\n    - y\n",
            "a:\n  b:\n  - x\n  c: 1\nd: 2\n",
            "a:\n  - x\n  b: 1\n",
            "- a:\n  - x\n  b: 1\n",
            "l:\n- a:\n  - x\n  b: 1\n- c\n",
            "l:\n- a:\n - x\n",
            "l:\n-   a: 1\n    b: 2\n",
            "l:\n-   a: 1\n     b: 2\n",
            "a: x:y\n",
            "a: x,y]\n",
            "a: x: \n",
            "a: ->\n",
            "a: x|y>z!w&v*u%t@s`r\n",
            "a: 1\n\"\": 2\n",
            "'': 1\n\"\": 2\n",
            "a: \"x\"\t\n",
            "a: [a]\t\n",
            "a: \"\"\n",
            "a: ''\n",
            "a: \" \"\n",
            "a: ' x '\n",
            "a:    \n  b: 1\n",
            "a: {}  # c\n",
            "a: [[], [[]], []]\n",
            "a:\n- []\n- {}\n- [x]\n- 'q'\n",
            "a: 1\n\n# end\n",
            "a: 1\n  \n",
            "a: 1\n---",
            "a: 1\n--- # c",
            "---\n---\n---\na: 1\n",
            "a: 1\n--- # x\n# y\n---\n# z\n",
            "A: TRUE\nB: false\nC: Off\nD: n\nE: ~\nF: NULL\nG: Null\n",
            "a: Y\nb: N\nc: yES\nd: tRUE\n",
            "a: 00\nb: 08\nc: 0o7\n",
            "a: 1.\nb: .1\n",
            "a: 0b1\nb: 0x\n",
            "a: 123abc\nb: 1a2\n",
            "a: 10Gi\nb: 2E\nc: 2e\n",
            "a: 1:30\n",
            "a: 190:20:30\n",
            "a: 2001-12-14t21:59:43.10-05:00\n",
            "a: -.inf\nb: .NaN\n",
            "a: +12\n",
            "a: =\n",
            "a: <<\n",
            "\"a\"" + " ".repeat(1021) + ": 1\n",
            "k".repeat(1000) + ": 1\n",
            "k".repeat(1001) + ": 1\n",
            "\"" + "k".repeat(998) + "\": 1\n",
            "\"" + "k".repeat(1030) + "\": 1\n",
            "a: " + "1".repeat(1000) + "\n",
            "a: -" + "1".repeat(999) + "\n",
            "a: " + "[".repeat(150) + "x" + "]".repeat(150) + "\n",
            "a: " + "[".repeat(200) + "x" + "]".repeat(200) + "\n",
            java.util.stream.IntStream.range(0, 199)
                    .mapToObj(i -> "  ".repeat(i) + "k" + i + ":\n")
                    .collect(java.util.stream.Collectors.joining())
                + "  ".repeat(199)
                + "v: 1\n",
            java.util.stream.IntStream.range(0, 100)
                    .mapToObj(i -> " ".repeat(2 + 4 * i) + "- k:\n")
                    .collect(java.util.stream.Collectors.joining("", "a:\n", ""))
                + " ".repeat(402)
                + "v: 1\n",
            "a: xx" + "\uD83D\uDE00".repeat(6000) + "\nb: ['\uD83D\uDE00', c]\n",
            "a: 'x" + "\uD83D\uDE00".repeat(3000) + "'\nb: [c, d]\n",
            "a: x" + "\u00e9".repeat(9000) + "\nb: [c, d]\n",
            // Line breaks SnakeYAML sees inside comments (lone CR, U+0085, U+2028, U+2029):
            // BlockYaml
            // declines them wherever they are.
            "a: 1 # c\rb: 2\n",
            "# c\ra: 1\n",
            "a: 1\n# c\rb: 2\n",
            "a: 1 # c\u2028b: 2\n",
            "a: 1 # c\u2029\nb: 2\n",
            "a: 1 # c\u0085\nb: 2\n",
            "# c\u2028\na: 1\n",
            "a: 1 # c\r\r\nb: 2\n",
            "# c\r\r\na: 1\n",
            "--- # c\u2028\na: 1\n",
            "a: 1\n--- # c\rb: 2\n",
            "l:\n- a # c\rb: 2\n",
            "l:\n- a\n# c\u2028- b\n",
            "a:\n  b: 1 # \u0085  c: 2\n",
            // A quoted key more than 1024 characters before its ':' (SnakeYAML's simple key limit).
            "\"a\"" + " ".repeat(1022) + ": 1\n",
            "x:\n  'a'" + " ".repeat(1100) + ": 1\n",
            // Integers longer than Jackson's maxNumberLength (1000).
            "a: " + "1".repeat(1001) + "\n",
            "a: -" + "1".repeat(1000) + "\n",
            "a: [1, 2147483648, " + "9".repeat(1001) + "]\n",
            // A document over SnakeYAML's codePointLimit (3,145,728 code points, comments
            // included).
            "a: " + "x".repeat(3_145_730) + "\n",
            "a: 1\n# " + "c".repeat(3_200_000) + "\nb: 1\n",
            // Block scalars, folding: a more-indented line after a blank one, blank lines with
            // fewer, equal or more spaces than the indentation, trailing spaces, lines that only
            // hold spaces at the end (with and without a final break).
            "a: >\n  x\n\n    y\n  z\n",
            "a: >\n  x\n \n    y\n  z\n",
            "a: >\n  x\n  \n  y\n",
            "a: >\n  x\n \n  y\n",
            "a: |\n  x\n \n  y\n",
            "a: >\n  x  \n  y\n",
            "a: >-\n  x\n    y\n    z\n  w\n",
            "a: >\n    x\n  y\n",
            "a: >\n  x\n     \nb: 1\n",
            "a: |\n  x\n     \nb: 1\n",
            "a: |\n  x\n     ",
            "a: |\n  x\n  ",
            "a: |\n  x\n\n  ",
            "a: |-\n  x\n     ",
            "a: >\n  x\n     \n\n  y\n",
            "a: >\n  x\n\n\n  y\n\n  z\n",
            "a: >\n  \u00e9 x\n  \u00fc\n\n  \ud83d\ude00\n",
            "a: >\n  \u00a0x\n  y\n",
            "a: >\n  x\n  \u00a0y\n",
            "a: >\n  - x\n  - y\n",
            "a: >\n  # x\n  y # z\n",
            // Block scalars, chomping and the end: clip and strip with trailing blank lines of all
            // widths, the last line without a break, CRLF, a comment or key less indented.
            "a: |\n  x\n\n\n",
            "a: |\n  x\n  \n   \n",
            "a: |-\n  x\n  \n\nb: 1\n",
            "a: >-\n  x\n\n",
            "a: >\n  x",
            "a: |\n  x\n\n  y",
            "a: >\r\n  x\r\n\r\n  y\r\n\r\nb: 1\r\n",
            "a: >-\r\n  x\r\n  y\r\n",
            "a: |\r\n  x\r\n   \r\n",
            "a: |\n  x\n# c\nb: 1\n",
            "a: |\n  x\n # c\n\n # d\nb: 1\n",
            "a: |\n  x\n # c\n  y\n",
            "a: |\n  x\n\n# c\n\nb: 1\n",
            "a: |-\n  x\n  # y\nb: 1\n",
            "a: |\n  x\n---\n",
            "a: |\n  x\n--- # c\nb: >\n  y\n",
            "a: |\n  x\n\n---\nb: 1\n",
            "a: |\n  x\n---x\n",
            "a: |\n  x\n...\n---\nb: 1\n",
            "a: |\n  x\n- y\n",
            "a: |\n  x\n b: 1\n",
            "a: |\n  ---\n  ...\n",
            // Block scalars, headers: spaces and comments after, keep, indentation digits, text.
            "a: |  \n  x\n",
            "a: |- # c\n  x\n",
            "a: >-   # c # d\n  x\n",
            "a: |-#c\n  x\n",
            "a: |-+\n  x\n",
            "a: |+-\n  x\n",
            "a: |-2\n  x\n",
            "a: |0\n  x\n",
            "a: > x\n  y\n",
            "a: >>\n  x\n",
            "a:    |\n  x\n",
            "\"a\": |\n  x\n",
            "'a b': >-\n  x\n",
            "a: |\n  123\nb: >-\n  true\nc: |-\n  ~\nd: >-\n  012\n",
            "a: |-\n  null\n",
            // Block scalars, minimum indentation: one more than the mapping's keys, also for keys
            // of compact mappings in sequences, indentless sequences and indented documents.
            "a: |\nx\n",
            "a:\n  b: |\n  x\n",
            "a:\n  b: |\n   x\n  c: 1\n",
            "a:\n  b: |\n   x\n c: 1\n",
            "l:\n- a: |\n   x\n  b: 1\n",
            "l:\n- a: |\n  x\n",
            "l:\n- a: |\n - x\n",
            "l:\n- a: |\n    x\n- b\n",
            "l:\n- a: |\n    x\n\n- b: >-\n    y\n    z\n",
            "l:\n  - a: |\n     x\n  - b\n",
            "l:\n  - a: |\n    x\n",
            "l:\n-   a: |\n     x\n",
            "l:\n-   a: |\n    x\n",
            "l:\n- a: 1\n  b: |\n   x\n",
            "l:\n- a: 1\n  b: |\n  x\n",
            "  a: |\n   x\n  b: 1\n",
            "  a: |\n  x\n",
            "a:\n  b:\n    c: |\n     x\n  d: |\n   y\ne: |\n z\n",
            "a: |\n      x\n  y\n",
            "a: |\n  x\n   y\n",
            "a: >\n  x\n   y\nb: 1\n",
            "- a: |\n    x\n",
            "l:\n- |\n  x\n",
            "l:\n- >-\n  x\n",
            "l:\n- a: [x]\n  b: |\n    y\n",
            "a: |\n  x\nb: |\n  y\n---\nc: >-\n  z\n",
            // One-line flow mappings, positions: as a sequence item, in a flow sequence, after
            // non-ASCII text, nested, as a compact mapping's value.
            "l:\n- {a: 1, b: {c: 2}}\n- [x, {d: e}]\n",
            "l:\n  -   {a: 1}\n",
            "\"\u00e9\": {a: 1, b: [c]}\n",
            "x: ['\u00e9', {a: 1}, \"\ud83d\ude00\", {b: {c: d}}]\n",
            "a: {b: '\u00e9', c: 1, d: '\ud83d\ude00', e: [f]}\n",
            "l:\n- a: {b: 1}\n  c: [x]\n",
            "l:\n- a: 1\n  b: {c: {d: [e, {f: g}]}}\n",
            "a: {b: {c: {}}}\n",
            "a: [{}, {b: []}, [{}]]\n",
            "a: {b: [{c: [{d: 1}]}]}\n",
            "a: {b: 1}\r\nc: {d: 2}\r\n",
            // One-line flow mappings, values: YAML 1.1 words, numbers, quoted and odd words.
            "a: {b: y, c: N, d: True, e: off, f: NULL, g: Null}\n",
            "a: {b: 0, c: -0, d: 2147483647, e: -2147483649, f: 9223372036854775808}\n",
            "a: {b: 1_000}\n",
            "a: {b: 0x1F}\n",
            "a: {b: 1e3}\n",
            "a: {b: 2e}\n",
            "a: {b: 500m, c: 1Gi}\n",
            "a: {b: .5}\n",
            "a: {b: .}\n",
            "a: {b: /}\n",
            "a: {b: _}\n",
            "a: {b: -a}\n",
            "a: {b: ---}\n",
            "a: {b: ...}\n",
            "a: {b: a/b.c-d_e}\n",
            "a: {b: 1/2}\n",
            "a: {b: 2024-01-01}\n",
            "a: {b: \"x\\ny\", c: 'it''s', d: \"\\\"\"}\n",
            "a: {b: \"\\u00e9\"}\n",
            "a: {b: \"\"}\n",
            "a: {b: 'x'#c}\n",
            "a: {b: \"x\" , c: 1}\n",
            "a: {b: x,c: y}\n",
            "a: {b: [x,y],c: {d: e}}\n",
            "a: {b: [x, y] , c: 1 }\n",
            // One-line flow mappings, keys: YAML words and numbers, quoted, odd characters, long.
            "a: {on: 1, yes: 2, null: 3, 1: 4, y: 5, true: 6}\n",
            "a: {~: 1}\n",
            "a: {0x1: 1, 012: 2, 1.5: 3, -1: 4}\n",
            "a: {a.: 1, a/: 2, _a: 3, a-b: 4}\n",
            "a: {.a: 1}\n",
            "a: {/a: 1}\n",
            "a: {\"\": 1}\n",
            "a: {'': 1, \"\": 2}\n",
            "a: {\"a\": 1, a: 2}\n",
            "a: {'a''b': 1, \"c\\\"d\": 2, \"e\\tf\": 3}\n",
            "a: {\"b c\": 1}\n",
            "a: {b c: 1}\n",
            "a: {b: 1, c}\n",
            "a: {b}\n",
            "a: {b: 1 c: 2}\n",
            "a: {http://x: 1}\n",
            "a: {b:: 1}\n",
            "a: {\"b\"  : 1}\n",
            "a: {b:\tc}\n",
            "a: {" + "k".repeat(1000) + ": 1}\n",
            "a: {" + "k".repeat(1001) + ": 1}\n",
            "a: {\"" + "k".repeat(998) + "\": 1}\n",
            "a: {\"" + "k".repeat(1030) + "\": 1}\n",
            "a: {b: [" + "x, ".repeat(600) + "y], c: 1}\n",
            // One-line flow mappings, spacing, emptiness, commas and what follows the brace.
            "a: {  b: 1  }\n",
            "a: {b:  1}\n",
            "a: {b: 1 ,c: 2}\n",
            "a: {b: 1,,c: 2}\n",
            "a: {,}\n",
            "a: {, b: 1}\n",
            "a: {b: 1, }\n",
            "a: [a, ]\n",
            "a: [ , a]\n",
            "a: {}}\n",
            "a: {b: 1}}\n",
            "a: {b: 1},\n",
            "a: {b: 1}   \n",
            "a: {b: 1}\t\n",
            "a: {b: 1} # c\nb: {}\n",
            "a: {b: 1}\n  c: 2\n",
            "l:\n- {a: 1}\n  b: 2\n",
            "l:\n- {a: 1}: x\n",
            "{a: 1}: x\n",
            "[a]: x\n",
            "a: {b: 1} {c: 2}\n",
            "a: {b: 1}]\n",
            "a: [{b: 1}}\n",
            "a: {b: [1}]\n",
            "a: {b: 1]\n",
            "a: {\n",
            "a: {b\n",
            "a: {b:\n",
            "a: {b: \n",
            "a: {b: 1,\n",
            // Flow mappings as document roots, in flow sequences at the root, across documents.
            "{a: 1}\n",
            "{a: 1, b: [c]}\n---\nd: 1\n",
            "a: 1\n---\n{b: 2}\n",
            "a: 1\n---\n[{b: 2}]\n",
            "--- {a: 1}\n",
            "a: {b: 1}\n---\nc: {d: 2}\n...\n",
            "a: " + "{b: ".repeat(150) + "1" + "}".repeat(150) + "\n",
            "a: " + "[{b: ".repeat(100) + "1" + "}]".repeat(100) + "\n",
            // Block scalars, more: a more-indented line then a blank one, a less indented comment
            // after a deeper first line, spaces-only lines before "---", the next key's sequence.
            "a: >\n  x\n    y\n\n  z\n",
            "a: >\n  x\n    y",
            "a: |\n    x\n  # c\nb: 1\n",
            "a: |\n  x\n     \n---\nb: 1\n",
            "a: |\n  x\nb:\n- y\n",
            "l:\n- a: |\n    x\nb: 1\n",
            "l:\n  - a: |\n      x\n   - b\n",
            "a: |\n  x\n\t\n  y\n",
            "a: |\n  x\n  \t\n",
            "a: |\u00a0\n  x\n",
            // Characters SnakeYAML does not allow (non-characters, C1 controls) in block scalars,
            // flow mappings and plain scalars.
            "a: |\n  x\uFFFFy\n",
            "a: |\n  x\uFFFEy\n",
            "a: |\n  x\u0086y\n",
            "a: {b: 'x\uFFFF'}\n",
            "a: {\"\u0086\": 1}\n",
            "a: x\uFFFF\n",
            // Flow mappings, more: quoted text holding indicators, non-ASCII keys, nesting near
            // the depth limit.
            "a: {b: \"x, y}\", c: 'a: b', d: \"#\", e: '[{'}\n",
            "a: {\"a}: b\": 1, 'c, d': [e]}\n",
            "a: {\"\u00e9\": 1, \"\ud83d\ude00\": 2, c: 3}\n",
            "a: {b: it's}\n",
            "a: " + "[".repeat(199) + "x" + "]".repeat(199) + "\n",
            "a: " + "{b: ".repeat(199) + "1" + "}".repeat(199) + "\n",
            "a: " + "{b: ".repeat(200) + "1" + "}".repeat(200) + "\n",
            "- " + "[".repeat(199) + "x" + "]".repeat(199) + "\n",
            // An indented document of flow collections; duplicate keys after a flow mapping or a
            // block scalar; "--- |"; a folded scalar ending without a break; a trailing blank line.
            "  a: {b: 1}\n  c: [d, {e: f}]\n",
            "a: {b: 1}\na: 2\n",
            "a: |\n  x\na: 1\n",
            "a: |\n  x\n--- |\n  y\n",
            "a: >-\n  x\n\n  y",
            "a: >\n  x\n  \n"));
    int whole = 0;
    for (String c : cases) {
      byte[] bytes = c.getBytes(StandardCharsets.UTF_8);
      assertSameReading("edge case", bytes);
      if (readWhole(bytes)) {
        whole++;
      }
    }
    System.out.printf("BlockYaml read %d of %d edge cases whole%n", whole, cases.size());
    assertTrue(whole > cases.size() / 4, "BlockYaml read only " + whole + " edge cases whole");
  }

  /** One seeded variation of {@code text}. */
  private static String vary(String text, Random random) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits && !lines.isEmpty(); e++) {
      int at = random.nextInt(lines.size());
      String line = lines.get(at);
      switch (random.nextInt(8)) {
        case 0 -> lines.remove(at);
        case 1 -> lines.set(at, " ".repeat(random.nextInt(3)) + line.stripLeading());
        case 2 -> lines.add(at, line);
        case 3 -> lines.add(at, pick(TRICKY_LINES, random));
        case 4 -> {
          int colon = line.indexOf(": ");
          if (colon > 0) {
            lines.set(at, line.substring(0, colon + 2) + pick(TRICKY_VALUES, random));
          }
        }
        case 5 -> {
          int dash = line.indexOf("- ");
          if (dash >= 0 && line.substring(0, dash).isBlank()) {
            lines.set(at, line.substring(0, dash + 2) + pick(TRICKY_VALUES, random));
          }
        }
        case 6 -> lines.add(at, "---");
        default -> {
          return String.join("\r\n", lines);
        }
      }
    }
    return String.join("\n", lines);
  }

  private static String pick(List<String> from, Random random) {
    return from.get(random.nextInt(from.size()));
  }
}
