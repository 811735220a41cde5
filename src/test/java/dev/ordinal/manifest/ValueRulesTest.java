package dev.ordinal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonToken;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/** The small rules the validation is built from, each against Kubernetes' own definition. */
class ValueRulesTest {

  @Nested
  class Names {
    // Kubernetes' regular expressions (k8s.io/apimachinery/pkg/api/validate/content), which the
    // hand-written matchers must agree with.
    private final Pattern dnsLabel = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private final Pattern subdomain =
        Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private final Pattern labelName = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    private final List<String> samples =
        List.of(
            "",
            "a",
            "A",
            "0",
            "-",
            "a-",
            "-a",
            "a-b",
            "a--b",
            "a.b",
            "a..b",
            ".a",
            "a.",
            "a_b",
            "_a",
            "a_",
            "web app",
            "db-0",
            "Main_DB",
            "x".repeat(63),
            "x".repeat(64),
            "a.b-c.d",
            "ü",
            "a/b",
            "1db",
            "db.primary");

    @Test
    void matchersAgreeWithKubernetesRegularExpressions() {
      for (String sample : samples) {
        assertEquals(
            sample.length() <= 63 && dnsLabel.matcher(sample).matches(),
            ObjectNames.isDnsLabel(sample),
            "DNS label " + sample);
        assertEquals(
            sample.length() <= 253 && subdomain.matcher(sample).matches(),
            ObjectNames.isSubdomain(sample),
            "subdomain " + sample);
        assertEquals(
            sample.length() <= 63 && labelName.matcher(sample).matches(),
            ObjectNames.isLabelName(sample),
            "label name " + sample);
      }
    }

    @Test
    void labelKeysHaveAnOptionalSubdomainPrefix() {
      assertEquals(Optional.empty(), ObjectNames.checkLabelKey("app.kubernetes.io/name", "label"));
      assertEquals(Optional.empty(), ObjectNames.checkLabelKey("App_Name", "label"));
      assertTrue(ObjectNames.checkLabelKey("Example.com/app", "label").isPresent());
      assertTrue(ObjectNames.checkLabelKey("a/b/c", "label").get().contains("more than one '/'"));
      assertTrue(ObjectNames.checkLabelKey("example.com/", "label").isPresent());
      assertTrue(ObjectNames.checkLabelKey("/app", "label").isPresent());
    }

    @Test
    void portNamesAreIanaServiceNames() {
      assertEquals(Optional.empty(), ObjectNames.checkPortName("http-alt"));
      assertTrue(ObjectNames.checkPortName("8080").isPresent(), "needs a letter");
      assertTrue(ObjectNames.checkPortName("a--b").isPresent());
      assertTrue(ObjectNames.checkPortName("postgres-metrics").isPresent(), "16 characters");
    }
  }

  @Nested
  class Quantity {
    @Test
    void acceptsWhatKubernetesAccepts() {
      for (String valid :
          List.of(
              "1", "500m", "1.5Gi", ".5", "1.", "+2", "-1Gi", "1e3", "1E-3", "2k", "10M", "1Ei")) {
        assertNull(Quantities.problem(valid), valid);
      }
    }

    @Test
    void refusesWhatKubernetesRefuses() {
      for (String invalid : List.of("", "two", "1GB", "1K", "1 Gi", "1.2.3", "e3", "1e", "--1")) {
        assertNotNull(Quantities.problem(invalid), invalid);
      }
    }

    @Test
    void valuesCompareAcrossUnits() {
      assertEquals(0, new BigDecimal("0.5").compareTo(Quantities.value("500m")));
      assertEquals(0, new BigDecimal(1024 * 1024 * 1024L).compareTo(Quantities.value("1Gi")));
      assertEquals(0, new BigDecimal("1000").compareTo(Quantities.value("1e3")));
      assertEquals(-1, Quantities.value("-1Gi").signum());
    }
  }

  @Nested
  class Schedule {
    @Test
    void fiveFieldsOrAMacro() {
      for (String valid :
          List.of(
              "0 3 * * *",
              "*/15 * * * *",
              "0 0 1,15 * MON-FRI",
              "@daily",
              "@every 5m",
              "0 9 ? JAN *")) {
        assertEquals(Optional.empty(), Schedules.problem(valid), valid);
      }
      for (String invalid :
          List.of(
              "every 5 minutes",
              "61 * * * *",
              "* 24 * * *",
              "* * 0 * *",
              "0 3 * * * *",
              "@weekdays")) {
        assertTrue(Schedules.problem(invalid).isPresent(), invalid);
      }
    }

    @Test
    void aParsedScheduleFiresOnTheTimesItsFieldsAllow() {
      ZoneId utc = ZoneOffset.UTC;
      Instant now = Instant.parse("2025-06-04T10:20:00Z"); // a Wednesday
      assertEquals(
          Optional.of(Instant.parse("2025-06-04T10:15:00Z")),
          Schedules.parse("*/15 * * * *").lastFiring(now, Duration.ofHours(1), utc));
      assertEquals(
          Optional.of(Instant.parse("2025-06-04T10:05:00Z")),
          Schedules.parse("5/15 9-10 * * WED")
              .lastFiring(now.minusSeconds(60), Duration.ofMinutes(16), utc));
      assertEquals(
          Optional.of(Instant.parse("2025-06-04T00:00:00Z")),
          Schedules.parse("@daily").lastFiring(now, Duration.ofDays(1), utc));
      assertEquals(
          Optional.empty(),
          Schedules.parse("0 18 * * FRI").lastFiring(now, Duration.ofDays(4), utc),
          "the last Friday 18:00 is more than 4 days ago");
      assertEquals(
          Optional.empty(),
          Schedules.parse("0 0 30 2 *").lastFiring(now, Duration.ofDays(366), utc),
          "30 February never comes");
    }

    @Test
    void parsingRefusesWhatHasNoCalendarTimesAndNamesTheFieldAtFault() {
      assertThrows(IllegalArgumentException.class, () -> Schedules.parse("@every 5m"));
      assertEquals(
          "invalid schedule \"0 18 * 7 8\": its day of week field \"8\" must be *, a number from 0"
              + " to 6, a range a-b, a step /n or a list of those",
          assertThrows(IllegalArgumentException.class, () -> Schedules.parse("0 18 * 7 8"))
              .getMessage());
    }
  }

  @Nested
  class Echoes {
    @Test
    void controlAndInvisibleCharactersAreEscapedAndEscapingTwiceChangesNothing() {
      String hostile = "db\u001b[31m\nname\t\u202eevil";
      String escaped = Escapes.controls(hostile);
      assertEquals("db\\x1b[31m\\nname\\t\\u202eevil", escaped);
      assertEquals(escaped, Escapes.controls(escaped));
      assertEquals("Zürich, 東京", Escapes.controls("Zürich, 東京"));
    }

    @Test
    void loadErrorsEscapeEveryTextPart() {
      LoadError error = new LoadError("a\nb.yaml", 1, "x\u001b", "bad \u0007");
      assertEquals("a\\nb.yaml:1: bad \\x07", error.toString());
      assertEquals("x\\x1b", error.field());
    }
  }

  @Nested
  class DidYouMean {
    @Test
    void suggestsTheNearestNameAndSeesThroughLookalikeLetters() {
      List<String> fields = List.of("replicas", "selector", "serviceName", "template");
      assertEquals("replicas", Suggestions.closest("replica", fields));
      assertEquals("replicas", Suggestions.closest("Replicas", fields));
      assertEquals("selector", Suggestions.closest("selecter", fields));
      assertEquals("replicas", Suggestions.closest("r\u0435plicas", fields));
      assertNull(Suggestions.closest("volumes", fields));
    }

    @Test
    void namesTheForeignLetter() {
      assertEquals(
          "'\u0435' U+0435 CYRILLIC SMALL LETTER IE", Suggestions.nonAscii("r\u0435plicas"));
      assertNull(Suggestions.nonAscii("replicas"));
    }
  }

  @Nested
  class PlainScalars {
    // What SnakeYAML's YAML 1.1 resolver makes of a plain scalar, which the shortcut must agree
    // with wherever it answers (except y and n, booleans to Kubernetes' go-yaml v2).
    private final Resolver resolver = new Resolver();

    private Tag expected(JsonToken token) {
      return switch (token) {
        case VALUE_STRING -> Tag.STR;
        case VALUE_NUMBER_INT -> Tag.INT;
        case VALUE_TRUE, VALUE_FALSE -> Tag.BOOL;
        default -> throw new AssertionError(token);
      };
    }

    @Test
    void theShortcutAgreesWithTheResolverWhereverItAnswers() {
      String alphabet = "019_-+.:eExXbBoOmMGiKnNyY~<=!&*/ ";
      Random random = new Random(16);
      int answered = 0;
      for (int i = 0; i < 200_000; i++) {
        StringBuilder value = new StringBuilder();
        int length = 1 + random.nextInt(6);
        for (int j = 0; j < length; j++) {
          value.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        String text = value.toString();
        JsonToken token = YamlDocuments.plainToken(text);
        if (token != null && !text.equalsIgnoreCase("y") && !text.equalsIgnoreCase("n")) {
          answered++;
          assertEquals(
              resolver.resolve(NodeId.scalar, text, true), expected(token), "'" + text + "'");
        }
      }
      assertTrue(answered > 10_000, "only " + answered + " values answered");
    }

    @Test
    void answersTheValuesManifestsAreMadeOf() {
      for (String text :
          List.of("3", "0", "-1", "5432", "500m", "20Gi", "/var/lib/data", "postgres:16.3")) {
        JsonToken token = YamlDocuments.plainToken(text);
        assertNotNull(token, text);
        assertEquals(resolver.resolve(NodeId.scalar, text, true), expected(token), text);
      }
      for (String text :
          List.of("012", "0x1F", "1e3", "1_000", "1:30", "2024-01-01", ".5", "~", "null", "yes")) {
        assertNull(YamlDocuments.plainToken(text), text);
      }
      assertEquals(JsonToken.VALUE_TRUE, YamlDocuments.plainToken("y"));
    }
  }

  @Nested
  class Positions {
    @Test
    void aDocumentIsReadAgainOnItsOwnFromWhereItStarts() {
      byte[] bytes =
          """
          a: 1
          ---
          kind: ConfigMap
          data:
            x: "1"
          ---
          this: [is never closed
          """
              .getBytes(StandardCharsets.UTF_8);
      YamlDocuments.Split split = YamlDocuments.split(bytes);
      YamlDocuments.Origin second = split.documents().get(1).origin();

      // The third document is broken; reading the second again must not reach it.
      assertEquals(Problems.position(5, 3), second.positions(bytes).get("data.x"));
      assertEquals(3, second.line());
    }

    @Test
    void jsonDocumentsSharingALineKeepTheirColumns() {
      byte[] bytes = "{\"a\": 1} {\"b\": {\"c\": 2}}".getBytes(StandardCharsets.UTF_8);
      YamlDocuments.Split split = YamlDocuments.split(bytes);
      assertTrue(split.json());
      YamlDocuments.Origin second = split.documents().get(1).origin();
      assertEquals(Problems.position(1, 17), second.positions(bytes).get("b.c"));
    }

    @Test
    void lineBreaksAreCountedAsTheParserCountsThem() {
      byte[] bytes = "a: 1\r\nb: 2\rc: 3\u2028d: 4\n".getBytes(StandardCharsets.UTF_8);
      TextScan scan = TextScan.of(bytes);
      assertEquals(5, scan.lineCount());
      assertEquals(11, scan.lineStart(3));
      assertFalse(scan.json());
    }
  }
}
