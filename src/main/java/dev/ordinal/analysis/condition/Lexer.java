package dev.ordinal.analysis.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits an expression into tokens as expr-lang does, remembering each token's 1-based column for
 * error messages. A {@code {{args.NAME}}} or {@code {{rollout.NAME}}} placeholder is a token of its
 * own, or a part of the string literal it sits in, so that it keeps its column until it is bound.
 */
final class Lexer {
  enum Kind {
    NUMBER,
    STRING,
    IDENT,
    PLACEHOLDER,
    OPERATOR,
    BRACKET,
    END
  }

  /** A piece of a string literal: text, or a placeholder to fill in. */
  sealed interface Part {
    record Text(String text) implements Part {}

    record Hole(String name, int column) implements Part {}
  }

  record Token(Kind kind, String text, int column, List<Part> parts) {
    Token(Kind kind, String text, int column) {
      this(kind, text, column, List.of());
    }

    boolean is(Kind kind, String text) {
      return this.kind == kind && this.text.equals(text);
    }

    boolean isOperator(String text) {
      return is(Kind.OPERATOR, text);
    }

    boolean isBracket(String text) {
      return is(Kind.BRACKET, text);
    }

    String describe() {
      return switch (kind) {
        case END -> "the end";
        case PLACEHOLDER -> "placeholder {{" + text + "}}";
        default -> "'" + text + "'";
      };
    }
  }

  /** Words that are operators, as in expr: they cannot name a variable. */
  static final Set<String> WORD_OPERATORS =
      Set.of("and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith");

  private static final List<String> OPERATORS =
      List.of(
          "**", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "..", "+", "-", "*", "/", "%", "^",
          "<", ">", "!", "?", ":", ".", ",", "#");

  static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.\\-]+)\\s*}}");

  private final String source;
  private final List<Token> tokens = new ArrayList<>();
  private int i;

  private Lexer(String source) {
    this.source = source;
  }

  static List<Token> tokens(String source) {
    Lexer lexer = new Lexer(source);
    lexer.run();
    return lexer.tokens;
  }

  private void run() {
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      int column = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (source.startsWith("//", i)) {
        int end = source.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        if (end < 0) {
          throw new ConditionException("unclosed comment", column);
        }
        i = end + 2;
      } else if (c == '{' && placeholderAt(i) != null) {
        Matcher placeholder = placeholderAt(i);
        tokens.add(new Token(Kind.PLACEHOLDER, placeholder.group(1), column));
        i = placeholder.end();
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(source.charAt(i + 1)))) {
        number(column);
      } else if (Character.isLetter(c) || c == '_' || c == '$') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
          i++;
        }
        String word = source.substring(start, i);
        tokens.add(
            new Token(WORD_OPERATORS.contains(word) ? Kind.OPERATOR : Kind.IDENT, word, column));
      } else if (c == '"' || c == '\'' || c == '`') {
        string(c, column);
      } else if ("()[]{}".indexOf(c) >= 0) {
        tokens.add(new Token(Kind.BRACKET, String.valueOf(c), column));
        i++;
      } else {
        operator(c, column);
      }
    }
    tokens.add(new Token(Kind.END, "", n + 1));
  }

  private Matcher placeholderAt(int at) {
    Matcher matcher = PLACEHOLDER.matcher(source).region(at, source.length());
    return matcher.lookingAt() ? matcher : null;
  }

  private void operator(char c, int column) {
    for (String op : OPERATORS) {
      if (source.startsWith(op, i)) {
        // "? .5" is a ternary over a number, not optional chaining
        if (op.equals("?.") && i + 2 < source.length() && Character.isDigit(source.charAt(i + 2))) {
          continue;
        }
        tokens.add(new Token(Kind.OPERATOR, op, column));
        i += op.length();
        return;
      }
    }
    String hint =
        switch (c) {
          case '=' -> " (use '==' to compare)";
          case '&' -> " (use '&&' or 'and')";
          case '|' -> " (use '||' or 'or')";
          default -> "";
        };
    throw new ConditionException("unexpected character '" + c + "'" + hint, column);
  }

  private void number(int column) {
    int n = source.length();
    int start = i;
    if (source.charAt(i) == '0'
        && i + 1 < n
        && "xXoObB".indexOf(source.charAt(i + 1)) >= 0
        && i + 2 < n
        && Character.isLetterOrDigit(source.charAt(i + 2))) {
      i += 2;
      while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
        i++;
      }
    } else {
      digits();
      // "1..3" is a range: the dot belongs to the operator
      if (i < n && source.charAt(i) == '.' && !(i + 1 < n && source.charAt(i + 1) == '.')) {
        i++;
        digits();
      }
      if (i < n && (source.charAt(i) == 'e' || source.charAt(i) == 'E')) {
        int mark = i;
        i++;
        if (i < n && (source.charAt(i) == '+' || source.charAt(i) == '-')) {
          i++;
        }
        if (i < n && Character.isDigit(source.charAt(i))) {
          digits();
        } else {
          i = mark;
        }
      }
    }
    String text = source.substring(start, i);
    if (i < n && (Character.isLetter(source.charAt(i)) || source.charAt(i) == '_')) {
      throw new ConditionException(
          "malformed number '" + text + source.charAt(i) + "'", column); // e.g. "5m": no units
    }
    tokens.add(new Token(Kind.NUMBER, text, column));
  }

  private void digits() {
    while (i < source.length()
        && (Character.isDigit(source.charAt(i)) || source.charAt(i) == '_')) {
      i++;
    }
  }

  private void string(char quote, int column) {
    int n = source.length();
    List<Part> parts = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    i++;
    while (true) {
      if (i >= n) {
        throw new ConditionException("string literal not terminated", column);
      }
      char c = source.charAt(i);
      if (c == quote) {
        i++;
        break;
      }
      Matcher placeholder = c == '{' ? placeholderAt(i) : null;
      if (placeholder != null) {
        if (text.length() > 0) {
          parts.add(new Part.Text(text.toString()));
          text.setLength(0);
        }
        parts.add(new Part.Hole(placeholder.group(1), i + 1));
        i = placeholder.end();
      } else if (c == '\\' && quote != '`') {
        text.append(escape());
      } else {
        text.append(c);
        i++;
      }
    }
    if (text.length() > 0 || parts.isEmpty()) {
      parts.add(new Part.Text(text.toString()));
    }
    StringBuilder plain = new StringBuilder();
    for (Part part : parts) {
      plain.append(part instanceof Part.Text t ? t.text() : "");
    }
    tokens.add(new Token(Kind.STRING, plain.toString(), column, List.copyOf(parts)));
  }

  /** Reads the escape sequence at {@code i} (a backslash) and returns what it stands for. */
  private String escape() {
    int column = i + 1;
    if (i + 1 >= source.length()) {
      throw new ConditionException("string literal not terminated", column);
    }
    char c = source.charAt(i + 1);
    i += 2;
    return switch (c) {
      case 'n' -> "\n";
      case 't' -> "\t";
      case 'r' -> "\r";
      case '\\', '"', '\'', '`' -> String.valueOf(c);
      case 'u' -> unicode(column);
      default -> throw new ConditionException("unknown escape sequence '\\" + c + "'", column);
    };
  }

  private String unicode(int column) {
    if (i + 4 <= source.length() && source.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
      String code = source.substring(i, i + 4);
      i += 4;
      return String.valueOf((char) Integer.parseInt(code, 16));
    }
    throw new ConditionException("malformed \\u escape: expected four hex digits", column);
  }
}
