package dev.ordinal.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.io.ContentReference;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns the parsers' syntax errors into plain words at the line a person should look at: where an
 * unclosed bracket or quote opens rather than where the parser gave up, and without SnakeYAML's
 * token names ({@code <block mapping start>}) or Jackson's internals.
 */
public final class SyntaxErrors {

  // SnakeYAML's token and event names, as its messages print them.
  private static final Map<String, String> TOKENS =
      Map.ofEntries(
          Map.entry("<block end>", "the end of the block"),
          Map.entry("<block mapping start>", "a new key"),
          Map.entry("<block sequence start>", "a list"),
          Map.entry("<block entry>", "a '-' list item"),
          Map.entry("<scalar>", "a value"),
          Map.entry("<stream end>", "the end of the file"),
          Map.entry("<document start>", "'---'"),
          Map.entry("<document end>", "'...'"),
          Map.entry("<flow mapping start>", "'{'"),
          Map.entry("<flow sequence start>", "'['"),
          Map.entry("<flow mapping end>", "'}'"),
          Map.entry("<flow sequence end>", "']'"),
          Map.entry("<flow entry>", "','"),
          Map.entry("<key>", "a key"),
          Map.entry("<value>", "':'"),
          Map.entry("<anchor>", "an anchor (&)"),
          Map.entry("<alias>", "an alias (*)"),
          Map.entry("<tag>", "a tag (!)"),
          Map.entry("<directive>", "a directive (%)"));
  private static final Pattern TOKEN = Pattern.compile("'?(<[a-z ]+>)'?");
  private static final Pattern JACKSON_CHAR = Pattern.compile("\\('(.)' \\(code \\d+\\)\\)");

  private SyntaxErrors() {}

  /**
   * A YAML syntax error of a file the manifest loader does not read (the daemon config), in the
   * loader's words: {@code LINE: YAML syntax error: what is wrong, and what to do}. Null when
   * {@code e} is not one the YAML parser raised.
   */
  public static String yamlSyntax(JsonProcessingException e) {
    if (!(e.getCause() instanceof MarkedYAMLException)) {
      return null;
    }
    Problems.Problem problem = yaml(e);
    return problem.line() + ": " + problem.message();
  }

  static Problems.Problem yaml(JsonProcessingException e) {
    if (!(e.getCause() instanceof MarkedYAMLException marked)) {
      return jacksonOnYaml(e);
    }
    String context = marked.getContext() == null ? "" : marked.getContext();
    String problem = marked.getProblem() == null ? "" : marked.getProblem();
    Mark at = marked.getProblemMark();
    Mark opened = marked.getContextMark();
    int line = at == null ? location(e) : at.getLine() + 1;
    if (opened != null
        && (context.equals("while parsing a flow mapping")
            || context.equals("while parsing a flow sequence"))) {
      char bracket = context.endsWith("mapping") ? '{' : '[';
      char closer = bracket == '{' ? '}' : ']';
      return problem(
          opened.getLine() + 1,
          "the '"
              + bracket
              + "' at column "
              + (opened.getColumn() + 1)
              + " is not closed"
              + (at != null && at.getLine() != opened.getLine()
                  ? " before line " + (at.getLine() + 1)
                  : "")
              + ": add the missing '"
              + closer
              + "', or the ',' missing between its entries");
    }
    if (opened != null && context.equals("while scanning a quoted scalar")) {
      return problem(
          opened.getLine() + 1,
          "the quoted string that starts at column "
              + (opened.getColumn() + 1)
              + " is never closed: add the closing quote");
    }
    if (at != null
        && (context.equals("while parsing a block mapping")
            || context.equals("while parsing a block collection"))
        && problem.startsWith("expected <block end>")) {
      int before = lastBefore(at);
      if (before >= 0) {
        // Text before it on its own line: a value ended before its line did, not an indentation.
        return problem(
            line,
            "text at column "
                + (at.getColumn() + 1)
                + " follows a complete value on the same line"
                + (before == '"' || before == '\''
                    ? ": a quoted value ends at its next quote, so to put a \" inside one, quote"
                        + " the whole value with ' instead, or write it as \\\""
                    : "; put the whole value in quotes, or move what follows to a line of its own"));
      }
    }
    if (opened != null
        && at != null
        && (context.equals("while parsing a block mapping")
            || context.equals("while parsing a block collection"))
        && problem.startsWith("expected <block end>")) {
      return problem(
          line,
          "bad indentation: this line starts at column "
              + (at.getColumn() + 1)
              + ", which lines up with nothing above it (the "
              + (context.endsWith("mapping") ? "mapping" : "list")
              + " it continues starts at line "
              + (opened.getLine() + 1)
              + ", column "
              + (opened.getColumn() + 1)
              + "); indent it like its siblings");
    }
    if (opened != null && context.equals("while scanning a simple key")) {
      return problem(
          opened.getLine() + 1,
          "this line is neither 'key: value' nor a '-' list item: add the ':' after its key,"
              + " or indent it further if it continues the value above");
    }
    if (problem.equals("mapping values are not allowed here")) {
      return problem(
          line,
          "':' at column "
              + (at.getColumn() + 1)
              + " is not allowed here: quote the value if it contains ': ', or fix the"
              + " indentation");
    }
    if (problem.contains("(TAB)")) {
      return problem(
          line,
          "a tab at column "
              + (at.getColumn() + 1)
              + ": YAML indentation must use spaces, not tabs");
    }
    Matcher character =
        Pattern.compile("found character '(.)' that cannot start any token").matcher(problem);
    if (character.find()) {
      return problem(
          line,
          "'"
              + character.group(1)
              + "' at column "
              + (at.getColumn() + 1)
              + " cannot start an unquoted value: put the value in quotes");
    }
    String detail = context.isEmpty() ? problem : context + ": " + problem;
    if (opened != null && problem.contains("end of stream")) {
      // The parser ran off the end of the file; where the construct began is what helps.
      line = opened.getLine() + 1;
    }
    return problem(line, humanize(detail));
  }

  private static final Pattern NOT_FINITE =
      Pattern.compile("^Malformed numeric value '([-+]?\\.(?:inf|Inf|INF|nan|NaN|NAN))'");

  /** Errors Jackson raises itself while reading YAML events. */
  private static Problems.Problem jacksonOnYaml(JsonProcessingException e) {
    String message = firstLine(e.getOriginalMessage());
    if (message.startsWith("Duplicate field ")) {
      // Jackson's term is "field"; in YAML it is a key, and "last one wins" is not applied.
      return problem(
          location(e), "duplicate key " + message.substring("Duplicate field ".length()));
    }
    Matcher special = NOT_FINITE.matcher(message);
    if (special.find()) {
      // YAML reads .inf and .nan as floats; Jackson calls them malformed, which reads as a typo.
      String value = special.group(1);
      return Problems.Problem.error(
          location(e),
          value
              + (value.toLowerCase(Locale.ROOT).endsWith("nan")
                  ? " is YAML's not-a-number"
                  : " is YAML's infinity")
              + ", which no field of Kubernetes or Ordinal takes: write a finite number, or quote it"
              + " to mean text");
    }
    if (message.startsWith("Expected a field name")) {
      return problem(
          location(e),
          "a mapping or a list is used as a key at column "
              + column(e)
              + "; quote the value (a '{{ }}' template must be rendered first)");
    }
    return problem(location(e), humanize(message));
  }

  static Problems.Problem json(JsonProcessingException e, JsonStreamContext context) {
    Problems.Problem problem = jsonDetail(e, context);
    return Problems.Problem.error(
        problem.line(), problem.message().replace("YAML syntax error: ", "JSON syntax error: "));
  }

  private static Problems.Problem jsonDetail(JsonProcessingException e, JsonStreamContext context) {
    String message = firstLine(e.getOriginalMessage());
    if (e instanceof JsonEOFException && (context.inObject() || context.inArray())) {
      JsonLocation opened = context.startLocation(ContentReference.unknown());
      char bracket = context.inObject() ? '{' : '[';
      return problem(
          opened.getLineNr(),
          "the '"
              + bracket
              + "' at column "
              + opened.getColumnNr()
              + " is never closed: add the missing '"
              + (bracket == '{' ? '}' : ']')
              + "'");
    }
    if (message.startsWith("Duplicate field ")) {
      return problem(
          location(e), "duplicate key " + message.substring("Duplicate field ".length()));
    }
    Matcher found = JACKSON_CHAR.matcher(message);
    String character = found.find() ? found.group(1) : null;
    String where = " at column " + column(e);
    if (character != null && message.contains("was expecting double-quote to start field name")) {
      return problem(
          location(e),
          character.equals("}")
              ? "'}'" + where + " follows a ','; JSON allows no trailing comma: remove it"
              : "'" + character + "'" + where + ": a JSON key must be in double quotes");
    }
    if (character != null && character.equals("]") && message.contains("expected a value")) {
      return problem(
          location(e), "']'" + where + " follows a ','; JSON allows no trailing comma: remove it");
    }
    if (character != null && message.contains("was expecting comma to separate")) {
      return problem(
          location(e), "'" + character + "'" + where + ": a ',' is missing between two entries");
    }
    if (message.startsWith("Unrecognized token")) {
      return problem(
          location(e),
          message
                  .substring(0, message.indexOf(':') < 0 ? message.length() : message.indexOf(':'))
                  .replace("Unrecognized token", "not a JSON value:")
              + where
              + "; put strings in double quotes");
    }
    return problem(location(e), message);
  }

  private static Problems.Problem problem(int line, String detail) {
    return Problems.Problem.error(line, "YAML syntax error: " + detail);
  }

  /** SnakeYAML's token names in plain words. */
  static String humanize(String detail) {
    Matcher matcher = TOKEN.matcher(detail);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(
          out, Matcher.quoteReplacement(TOKENS.getOrDefault(matcher.group(1), matcher.group())));
    }
    matcher.appendTail(out);
    return out.toString().replace("end of stream", "end of the file");
  }

  private static int location(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    return location == null ? 1 : Math.max(1, location.getLineNr());
  }

  private static int column(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    return location == null ? 1 : Math.max(1, location.getColumnNr());
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /**
   * The last character before {@code at} on its line that is not a space, or -1 when only spaces
   * come before it (or the parser kept no text): what tells a value ended early from a line
   * indented wrong.
   */
  private static int lastBefore(Mark at) {
    int[] buffer = at.getBuffer();
    if (buffer == null) {
      return -1;
    }
    for (int i = Math.min(at.getPointer(), buffer.length) - 1; i >= 0; i--) {
      int c = buffer[i];
      if (c == '\n' || c == '\r') {
        return -1;
      }
      if (c != ' ' && c != '\t') {
        return c;
      }
    }
    return -1;
  }
}
