package dev.ordinal.analysis.condition;

import dev.ordinal.analysis.condition.Lexer.Kind;
import dev.ordinal.analysis.condition.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Precedence climbing over expr-lang's grammar, with expr's precedences (low to high):
 *
 * <pre>
 * ternary    a ? b : c, a ?: c
 * or         or ||                                     10
 * and        and &amp;&amp;                                    15
 * compare    == != &lt; &lt;= &gt; &gt;= in, not in, matches,
 *            contains, startsWith, endsWith              20   (&lt; &lt;= &gt; &gt;= chain: a &lt; b &lt; c)
 * range      ..                                        25
 * additive   + -                                       30
 * unary not  not !                                     50
 * term       * / %                                     60
 * unary sign - +                                       90
 * power      ** ^ (right-associative)                  100
 * coalesce   ??                                        500
 * postfix    .name ?.name [i] [a:b] calls
 * primary    numbers, 'strings', true, false, nil, [..], {k: v}, (..), names, #, .field
 * </pre>
 *
 * Predicates of {@code all}, {@code any}, {@code filter}, ... may be written with or without
 * braces. Names and functions are checked against the environment here, so a typo fails when the
 * template is loaded, with its column.
 */
final class Parser {
  private static final Map<String, Integer> BINARY =
      Map.ofEntries(
          Map.entry("or", 10),
          Map.entry("||", 10),
          Map.entry("and", 15),
          Map.entry("&&", 15),
          Map.entry("==", 20),
          Map.entry("!=", 20),
          Map.entry("<", 20),
          Map.entry(">", 20),
          Map.entry("<=", 20),
          Map.entry(">=", 20),
          Map.entry("in", 20),
          Map.entry("matches", 20),
          Map.entry("contains", 20),
          Map.entry("startsWith", 20),
          Map.entry("endsWith", 20),
          Map.entry("..", 25),
          Map.entry("+", 30),
          Map.entry("-", 30),
          Map.entry("*", 60),
          Map.entry("/", 60),
          Map.entry("%", 60),
          Map.entry("**", 100),
          Map.entry("^", 100),
          Map.entry("??", 500));
  private static final Set<String> ORDERING = Set.of("<", ">", "<=", ">=");
  private static final Set<String> NEGATABLE =
      Set.of("in", "matches", "contains", "startsWith", "endsWith");
  private static final int UNARY_NOT = 50;
  private static final int UNARY_SIGN = 90;

  private final List<Token> tokens;
  private final String noun;
  private final Set<String> variables;
  private final Map<String, Functions.Signature> functions;
  private int position;
  private int predicateDepth;

  private Parser(
      List<Token> tokens,
      String noun,
      Set<String> variables,
      Map<String, Functions.Signature> functions) {
    this.tokens = tokens;
    this.noun = noun;
    this.variables = variables;
    this.functions = functions;
  }

  /**
   * @param noun how messages call the text: "condition" or "expression"
   * @param variables the names the expression may read
   * @param functions the functions it may call
   * @throws ConditionException naming the problem and its column
   */
  static Expr parse(
      String source,
      String noun,
      Set<String> variables,
      Map<String, Functions.Signature> functions) {
    if (source.isBlank()) {
      throw ConditionException.blank();
    }
    Parser parser = new Parser(Lexer.tokens(source), noun, variables, functions);
    Expr expr = parser.expression(0);
    Token rest = parser.peek();
    if (rest.kind() != Kind.END) {
      throw new ConditionException(
          "unexpected " + parser.describe(rest) + " after a complete " + noun, rest.column());
    }
    return expr;
  }

  private String describe(Token token) {
    return token.kind() == Kind.END ? "end of " + noun : token.describe();
  }

  private Token peek() {
    return tokens.get(position);
  }

  private Token next() {
    return tokens.get(position++);
  }

  private Token expect(Kind kind, String text, String what) {
    Token token = peek();
    if (!token.is(kind, text)) {
      throw new ConditionException(
          "expected " + what + " but found " + describe(token), token.column());
    }
    return next();
  }

  private Expr expression(int precedence) {
    Expr left = unary();
    while (true) {
      Token op = peek();
      boolean negated = false;
      if (op.isOperator("not")
          && position + 1 < tokens.size()
          && tokens.get(position + 1).kind() == Kind.OPERATOR
          && NEGATABLE.contains(tokens.get(position + 1).text())) {
        negated = true;
        op = tokens.get(position + 1);
      }
      Integer opPrecedence = op.kind() == Kind.OPERATOR ? BINARY.get(op.text()) : null;
      if (opPrecedence == null || opPrecedence < precedence) {
        break;
      }
      Token notToken = negated ? next() : null;
      next();
      if (ORDERING.contains(op.text())) {
        left = comparison(left, op, opPrecedence);
        continue;
      }
      boolean rightAssociative = op.text().equals("**") || op.text().equals("^");
      Expr right = operand(op, rightAssociative ? opPrecedence : opPrecedence + 1);
      left = new Expr.Binary(canonical(op.text()), left, right, op.column());
      if (negated) {
        left = new Expr.Unary("not", left, notToken.column());
      }
    }
    if (precedence == 0 && peek().isOperator("?")) {
      return conditional(left);
    }
    return left;
  }

  /** {@code a < b <= c} means {@code a < b and b <= c}, as in expr. */
  private Expr comparison(Expr left, Token op, int precedence) {
    Expr chain = null;
    while (true) {
      Expr right = operand(op, precedence + 1);
      Expr compare = new Expr.Binary(op.text(), left, right, op.column());
      chain = chain == null ? compare : new Expr.Binary("and", chain, compare, op.column());
      if (peek().kind() != Kind.OPERATOR || !ORDERING.contains(peek().text())) {
        return chain;
      }
      left = right;
      op = next();
    }
  }

  private Expr conditional(Expr condition) {
    Token question = next();
    if (peek().isOperator(":")) {
      // a ?: b is a ? a : b
      next();
      return new Expr.Conditional(condition, condition, expression(0), question.column());
    }
    Expr then = operand(question, 0);
    expect(Kind.OPERATOR, ":", "':' of the ternary operator");
    Expr otherwise = expression(0);
    return new Expr.Conditional(condition, then, otherwise, question.column());
  }

  private static String canonical(String op) {
    return switch (op) {
      case "&&" -> "and";
      case "||" -> "or";
      case "^" -> "**";
      default -> op;
    };
  }

  /** Parses the right operand of {@code op}, naming the operator when it is missing. */
  private Expr operand(Token op, int precedence) {
    if (peek().kind() == Kind.END) {
      throw new ConditionException(
          "expected an operand after '" + op.text() + "'", peek().column());
    }
    return expression(precedence);
  }

  private Expr unary() {
    Token token = peek();
    if (token.isOperator("not") || token.isOperator("!")) {
      next();
      return postfix(new Expr.Unary("not", operand(token, UNARY_NOT), token.column()));
    }
    if (token.isOperator("-") || token.isOperator("+")) {
      next();
      return postfix(new Expr.Unary(token.text(), operand(token, UNARY_SIGN), token.column()));
    }
    return postfix(primary());
  }

  private Expr postfix(Expr expr) {
    while (true) {
      Token token = peek();
      if (token.isOperator(".") || token.isOperator("?.")) {
        next();
        boolean optional = token.text().equals("?.");
        if (optional && peek().isBracket("[")) {
          expr = index(expr, next(), true);
          continue;
        }
        expr = new Expr.Member(expr, property(), optional, token.column());
      } else if (token.isBracket("[")) {
        expr = index(expr, next(), false);
      } else {
        return expr;
      }
    }
  }

  /** The name after a dot, as a string key; a call there would be a Go method, which has none. */
  private Expr property() {
    Token name = next();
    boolean word = name.kind() == Kind.IDENT || Lexer.WORD_OPERATORS.contains(name.text());
    if (!word) {
      throw new ConditionException("expected a name after '.'", name.column());
    }
    if (peek().isBracket("(")) {
      throw new ConditionException(
          "'" + name.text() + "()': values have no methods; call functions such as len(x)",
          name.column());
    }
    return new Expr.Literal(new Value.Str(name.text()), name.column());
  }

  private Expr index(Expr target, Token open, boolean optional) {
    Expr from = null;
    if (!peek().isOperator(":")) {
      from = expression(0);
    }
    if (peek().isOperator(":")) {
      next();
      Expr to = peek().isBracket("]") ? null : expression(0);
      expect(Kind.BRACKET, "]", "']'");
      return new Expr.Slice(target, from, to, open.column());
    }
    expect(Kind.BRACKET, "]", "']'");
    return new Expr.Member(target, from, optional, open.column());
  }

  private Expr primary() {
    Token token = next();
    switch (token.kind()) {
      case NUMBER:
        return new Expr.Literal(number(token), token.column());
      case STRING:
        return token.parts().stream().allMatch(p -> p instanceof Lexer.Part.Text)
            ? new Expr.Literal(new Value.Str(token.text()), token.column())
            : new Expr.Text(token.parts(), token.column());
      case PLACEHOLDER:
        return new Expr.Placeholder(token.text(), token.column());
      case IDENT:
        return identifier(token);
      case BRACKET:
        if (token.text().equals("(")) {
          Expr inner = expression(0);
          expect(Kind.BRACKET, ")", "')'");
          return inner;
        }
        if (token.text().equals("[")) {
          return array(token);
        }
        if (token.text().equals("{")) {
          return map(token);
        }
        break;
      case OPERATOR:
        if (token.text().equals("#") || token.text().equals(".")) {
          return pointer(token);
        }
        break;
      case END:
        throw new ConditionException("unexpected end of " + noun, token.column());
      default:
        break;
    }
    throw new ConditionException("unexpected " + describe(token), token.column());
  }

  /** {@code #}, {@code #index}, or {@code .field} (short for {@code #.field}) in a predicate. */
  private Expr pointer(Token token) {
    if (predicateDepth == 0) {
      throw new ConditionException(
          "'"
              + token.text()
              + "' is only defined inside the predicate of all(), any(), filter(), map()...",
          token.column());
    }
    if (token.text().equals(".")) {
      Expr element = new Expr.Pointer("", token.column());
      return new Expr.Member(element, property(), false, token.column());
    }
    if (peek().kind() == Kind.IDENT && peek().column() == token.column() + 1) {
      Token name = next();
      if (!name.text().equals("index")) {
        throw new ConditionException(
            "unknown '#" + name.text() + "' (known: #, #index)", token.column());
      }
      return new Expr.Pointer("index", token.column());
    }
    return new Expr.Pointer("", token.column());
  }

  private static Value number(Token token) {
    String text = token.text().replace("_", "");
    String lower = text.toLowerCase(Locale.ROOT);
    try {
      if (lower.startsWith("0x")) {
        return new Value.Int(Long.parseLong(text.substring(2), 16));
      }
      if (lower.startsWith("0o")) {
        return new Value.Int(Long.parseLong(text.substring(2), 8));
      }
      if (lower.startsWith("0b")) {
        return new Value.Int(Long.parseLong(text.substring(2), 2));
      }
      if (lower.contains(".") || lower.contains("e")) {
        return new Value.Float(Double.parseDouble(text));
      }
      return new Value.Int(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new ConditionException("malformed number '" + token.text() + "'", token.column());
    }
  }

  private Expr identifier(Token token) {
    String name = token.text();
    switch (name) {
      case "true":
        return new Expr.Literal(Value.TRUE, token.column());
      case "false":
        return new Expr.Literal(Value.FALSE, token.column());
      case "nil":
        return new Expr.Literal(Value.NIL, token.column());
      default:
        break;
    }
    if (peek().isBracket("(")) {
      return call(token);
    }
    if (!variables.contains(name)) {
      String hint =
          functions.containsKey(name) ? "; " + name + " is a function: " + name + "(...)" : "";
      throw new ConditionException(
          "unknown name '" + name + "' (known: " + known() + ")" + hint, token.column());
    }
    return new Expr.Variable(name, token.column());
  }

  private String known() {
    List<String> names = new ArrayList<>(variables.stream().sorted().toList());
    names.add("true");
    names.add("false");
    names.add("nil");
    return String.join(", ", names);
  }

  private Expr call(Token name) {
    Functions.Signature signature = functions.get(name.text());
    if (signature == null) {
      throw new ConditionException(
          "unknown function '"
              + name.text()
              + "' (known: "
              + String.join(", ", functions.keySet())
              + ")",
          name.column());
    }
    next(); // (
    List<Expr> arguments = new ArrayList<>();
    while (!peek().isBracket(")")) {
      if (!arguments.isEmpty()) {
        expect(Kind.OPERATOR, ",", "',' or ')'");
        if (peek().isBracket(")")) {
          break; // a trailing comma, as expr allows
        }
      }
      if (peek().kind() == Kind.END) {
        throw new ConditionException("expected ')' to close " + name.text() + "(", peek().column());
      }
      arguments.add(arguments.size() == signature.predicate() ? predicate() : expression(0));
    }
    Token close = next();
    int count = arguments.size();
    if (count < signature.min() || (signature.max() >= 0 && count > signature.max())) {
      throw new ConditionException(
          name.text()
              + "() takes "
              + signature.arity()
              + ", got "
              + count
              + (signature.predicate() >= 0
                  ? " (such as " + name.text() + "(result, {# > 1}))"
                  : ""),
          count > signature.max() && signature.max() >= 0 ? name.column() : close.column());
    }
    return new Expr.Call(name.text(), List.copyOf(arguments), name.column());
  }

  /** A predicate: {@code {# > 1}} or {@code # > 1}. */
  private Expr predicate() {
    Token start = peek();
    boolean braces = start.isBracket("{");
    if (braces) {
      next();
    }
    predicateDepth++;
    Expr body = expression(0);
    predicateDepth--;
    if (braces) {
      expect(Kind.BRACKET, "}", "'}' to end the predicate");
    }
    return new Expr.Predicate(body, start.column());
  }

  private Expr array(Token open) {
    List<Expr> items = new ArrayList<>();
    while (!peek().isBracket("]")) {
      if (!items.isEmpty()) {
        expect(Kind.OPERATOR, ",", "',' or ']'");
        if (peek().isBracket("]")) {
          break;
        }
      }
      items.add(expression(0));
    }
    next();
    return new Expr.ArrayLiteral(List.copyOf(items), open.column());
  }

  private Expr map(Token open) {
    List<Expr> keys = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (!peek().isBracket("}")) {
      if (!keys.isEmpty()) {
        expect(Kind.OPERATOR, ",", "',' or '}'");
        if (peek().isBracket("}")) {
          break;
        }
      }
      Token key = peek();
      switch (key.kind()) {
        case NUMBER, STRING, IDENT -> {
          next();
          keys.add(new Expr.Literal(new Value.Str(key.text()), key.column()));
        }
        case BRACKET -> {
          if (!key.text().equals("(")) {
            throw new ConditionException(
                "a map key must be a name, a string, a number or (an expression)", key.column());
          }
          keys.add(expression(0));
        }
        default ->
            throw new ConditionException(
                "a map key must be a name, a string, a number or (an expression)", key.column());
      }
      expect(Kind.OPERATOR, ":", "':' after the map key");
      values.add(expression(0));
    }
    next();
    return new Expr.MapLiteral(List.copyOf(keys), List.copyOf(values), open.column());
  }
}
