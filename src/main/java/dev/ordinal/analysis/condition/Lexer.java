package dev.ordinal.analysis.condition;

import java.util.ArrayList;
import java.util.List;

/** Splits a condition into tokens, remembering each token's 1-based column for error messages. */
final class Lexer {
  enum Kind {
    NUMBER,
    IDENT,
    HASH,
    LPAREN,
    RPAREN,
    LBRACKET,
    RBRACKET,
    LBRACE,
    RBRACE,
    COMMA,
    PLUS,
    MINUS,
    STAR,
    SLASH,
    LT,
    LE,
    GT,
    GE,
    EQ,
    NE,
    AND,
    OR,
    NOT,
    END
  }

  record Token(Kind kind, String text, int column) {
    String describe() {
      return kind == Kind.END ? "end of condition" : "'" + text + "'";
    }
  }

  private Lexer() {}

  static List<Token> tokens(String source) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      int column = i + 1;
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(source.charAt(i + 1)))) {
        int start = i;
        while (i < n && (Character.isDigit(source.charAt(i)) || source.charAt(i) == '.')) {
          i++;
        }
        if (i < n && (source.charAt(i) == 'e' || source.charAt(i) == 'E')) {
          int mark = i;
          i++;
          if (i < n && (source.charAt(i) == '+' || source.charAt(i) == '-')) {
            i++;
          }
          if (i < n && Character.isDigit(source.charAt(i))) {
            while (i < n && Character.isDigit(source.charAt(i))) {
              i++;
            }
          } else {
            i = mark;
          }
        }
        String text = source.substring(start, i);
        try {
          Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new ConditionException("malformed number '" + text + "'", column);
        }
        tokens.add(new Token(Kind.NUMBER, text, column));
        continue;
      }
      if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
          i++;
        }
        String word = source.substring(start, i);
        Kind kind =
            switch (word) {
              case "and" -> Kind.AND;
              case "or" -> Kind.OR;
              case "not" -> Kind.NOT;
              default -> Kind.IDENT;
            };
        tokens.add(new Token(kind, word, column));
        continue;
      }
      String two = i + 1 < n ? source.substring(i, i + 2) : "";
      Kind twoKind =
          switch (two) {
            case "<=" -> Kind.LE;
            case ">=" -> Kind.GE;
            case "==" -> Kind.EQ;
            case "!=" -> Kind.NE;
            case "&&" -> Kind.AND;
            case "||" -> Kind.OR;
            default -> null;
          };
      if (twoKind != null) {
        tokens.add(new Token(twoKind, two, column));
        i += 2;
        continue;
      }
      Kind one =
          switch (c) {
            case '#' -> Kind.HASH;
            case '(' -> Kind.LPAREN;
            case ')' -> Kind.RPAREN;
            case '[' -> Kind.LBRACKET;
            case ']' -> Kind.RBRACKET;
            case '{' -> Kind.LBRACE;
            case '}' -> Kind.RBRACE;
            case ',' -> Kind.COMMA;
            case '+' -> Kind.PLUS;
            case '-' -> Kind.MINUS;
            case '*' -> Kind.STAR;
            case '/' -> Kind.SLASH;
            case '<' -> Kind.LT;
            case '>' -> Kind.GT;
            case '!' -> Kind.NOT;
            default -> null;
          };
      if (one == null) {
        String hint =
            c == '='
                ? " (use '==' to compare)"
                : c == '&' ? " (use '&&' or 'and')" : c == '|' ? " (use '||' or 'or')" : "";
        throw new ConditionException("unexpected character '" + c + "'" + hint, column);
      }
      tokens.add(new Token(one, String.valueOf(c), column));
      i++;
    }
    tokens.add(new Token(Kind.END, "", n + 1));
    return tokens;
  }
}
