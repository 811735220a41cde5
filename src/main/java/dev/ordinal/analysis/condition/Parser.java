package dev.ordinal.analysis.condition;

import dev.ordinal.analysis.condition.Lexer.Kind;
import dev.ordinal.analysis.condition.Lexer.Token;
import java.util.List;
import java.util.Set;

/**
 * Recursive descent over the condition grammar, lowest precedence first:
 *
 * <pre>
 * or         := and (('or' | '||') and)*
 * and        := not (('and' | '&&') not)*
 * not        := ('not' | '!') not | comparison
 * comparison := additive (('<' | '<=' | '>' | '>=' | '==' | '!=') additive)?
 * additive   := term (('+' | '-') term)*
 * term       := unary (('*' | '/') unary)*
 * unary      := '-' unary | postfix
 * postfix    := primary ('[' or ']')*
 * primary    := NUMBER | 'true' | 'false' | 'result' | '#' | '(' or ')'
 *             | ('len' | 'isNaN' | 'isInf') '(' or ')'
 *             | ('all' | 'any') '(' or ',' '{' or '}' ')'
 * </pre>
 *
 * Comparisons do not chain ({@code 1 < x < 2} is an error) because Argo's expr language gives that
 * a meaning nobody intends.
 */
final class Parser {
  private static final Set<String> UNARY_FUNCTIONS = Set.of("len", "isNaN", "isInf");

  private final List<Token> tokens;
  private int position;
  private int predicateDepth;

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static Expr parse(String source) {
    if (source.isBlank()) {
      throw ConditionException.blank();
    }
    Parser parser = new Parser(Lexer.tokens(source));
    Expr expr = parser.or();
    Token rest = parser.peek();
    if (rest.kind() != Kind.END) {
      throw new ConditionException(
          "unexpected " + rest.describe() + " after a complete condition", rest.column());
    }
    return expr;
  }

  private Token peek() {
    return tokens.get(position);
  }

  private Token next() {
    return tokens.get(position++);
  }

  private boolean accept(Kind kind) {
    if (peek().kind() == kind) {
      position++;
      return true;
    }
    return false;
  }

  private Token expect(Kind kind, String what) {
    Token token = peek();
    if (token.kind() != kind) {
      throw new ConditionException(
          "expected " + what + " but found " + token.describe(), token.column());
    }
    return next();
  }

  private Expr or() {
    Expr left = and();
    while (peek().kind() == Kind.OR) {
      Token op = next();
      left = new Expr.Or(left, operand(op, this::and), op.column());
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (peek().kind() == Kind.AND) {
      Token op = next();
      left = new Expr.And(left, operand(op, this::not), op.column());
    }
    return left;
  }

  private Expr not() {
    if (peek().kind() == Kind.NOT) {
      Token op = next();
      return new Expr.Not(operand(op, this::not), op.column());
    }
    return comparison();
  }

  private Expr comparison() {
    Expr left = additive();
    Expr.ComparisonOp op = comparisonOp(peek().kind());
    if (op == null) {
      return left;
    }
    Token opToken = next();
    Expr right = operand(opToken, this::additive);
    if (comparisonOp(peek().kind()) != null) {
      throw new ConditionException(
          "comparisons do not chain; join them with 'and'", peek().column());
    }
    return new Expr.Comparison(op, left, right, opToken.column());
  }

  private static Expr.ComparisonOp comparisonOp(Kind kind) {
    switch (kind) {
      case LT:
        return Expr.ComparisonOp.LT;
      case LE:
        return Expr.ComparisonOp.LE;
      case GT:
        return Expr.ComparisonOp.GT;
      case GE:
        return Expr.ComparisonOp.GE;
      case EQ:
        return Expr.ComparisonOp.EQ;
      case NE:
        return Expr.ComparisonOp.NE;
      default:
        return null;
    }
  }

  private Expr additive() {
    Expr left = term();
    while (peek().kind() == Kind.PLUS || peek().kind() == Kind.MINUS) {
      Token op = next();
      Expr right = operand(op, this::term);
      left =
          new Expr.Arithmetic(
              op.kind() == Kind.PLUS ? Expr.ArithmeticOp.ADD : Expr.ArithmeticOp.SUBTRACT,
              left,
              right,
              op.column());
    }
    return left;
  }

  private Expr term() {
    Expr left = unary();
    while (peek().kind() == Kind.STAR || peek().kind() == Kind.SLASH) {
      Token op = next();
      Expr right = operand(op, this::unary);
      left =
          new Expr.Arithmetic(
              op.kind() == Kind.STAR ? Expr.ArithmeticOp.MULTIPLY : Expr.ArithmeticOp.DIVIDE,
              left,
              right,
              op.column());
    }
    return left;
  }

  /** Parses the right operand of {@code op}, naming the operator when it is missing. */
  private Expr operand(Token op, java.util.function.Supplier<Expr> rule) {
    if (peek().kind() == Kind.END) {
      throw new ConditionException(
          "expected an operand after '" + op.text() + "'", peek().column());
    }
    return rule.get();
  }

  private Expr unary() {
    if (peek().kind() == Kind.MINUS) {
      Token op = next();
      return new Expr.Negate(operand(op, this::unary), op.column());
    }
    return postfix();
  }

  private Expr postfix() {
    Expr expr = primary();
    while (peek().kind() == Kind.LBRACKET) {
      Token open = next();
      Expr index = or();
      expect(Kind.RBRACKET, "']'");
      expr = new Expr.Index(expr, index, open.column());
    }
    return expr;
  }

  private Expr primary() {
    Token token = next();
    switch (token.kind()) {
      case NUMBER:
        return new Expr.Number(Double.parseDouble(token.text()), token.column());
      case HASH:
        if (predicateDepth == 0) {
          throw new ConditionException(
              "'#' is only defined inside all(...) or any(...) predicates", token.column());
        }
        return new Expr.Element(token.column());
      case LPAREN:
        {
          Expr inner = or();
          expect(Kind.RPAREN, "')'");
          return inner;
        }
      case IDENT:
        return identifier(token);
      case END:
        throw new ConditionException("unexpected end of condition", token.column());
      default:
        throw new ConditionException("unexpected " + token.describe(), token.column());
    }
  }

  private Expr identifier(Token token) {
    String name = token.text();
    switch (name) {
      case "result":
        return new Expr.Result(token.column());
      case "true":
        return new Expr.Bool(true, token.column());
      case "false":
        return new Expr.Bool(false, token.column());
      case "all":
      case "any":
        {
          expect(Kind.LPAREN, "'(' after '" + name + "'");
          Expr collection = or();
          expect(Kind.COMMA, "',' and a predicate such as {# < 1}");
          expect(Kind.LBRACE, "'{' to start the predicate");
          predicateDepth++;
          Expr predicate = or();
          predicateDepth--;
          expect(Kind.RBRACE, "'}' to end the predicate");
          expect(Kind.RPAREN, "')'");
          return new Expr.Quantifier(name.equals("all"), collection, predicate, token.column());
        }
      default:
        if (UNARY_FUNCTIONS.contains(name)) {
          expect(Kind.LPAREN, "'(' after '" + name + "'");
          Expr argument = or();
          if (peek().kind() == Kind.COMMA) {
            throw new ConditionException(name + "() takes one argument", peek().column());
          }
          expect(Kind.RPAREN, "')'");
          return new Expr.Call(name, argument, token.column());
        }
        throw new ConditionException(
            "unknown name '"
                + name
                + "' (known: result, len, all, any, isNaN, isInf, and, or, not, true, false)",
            token.column());
    }
  }
}
