package dev.ordinal.analysis.condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Finds and fills the {@code {{args.NAME}}} and {@code {{rollout.NAME}}} placeholders of a parsed
 * expression. A bare placeholder becomes the literal its value spells (a number, {@code true},
 * {@code false} or {@code nil}); inside a string literal the value becomes part of the string. So a
 * value is always data, never more expression: {@code 0.01 or true} cannot widen a condition.
 */
final class Placeholders {
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][+-]?\\d+)?");

  private Placeholders() {}

  /** Every placeholder of {@code expr}, in source order. */
  static List<Condition.Placeholder> find(Expr expr) {
    List<Condition.Placeholder> found = new ArrayList<>();
    walk(
        expr,
        node -> {
          if (node instanceof Expr.Placeholder p) {
            found.add(new Condition.Placeholder(p.name(), p.column()));
          } else if (node instanceof Expr.Text text) {
            for (Lexer.Part part : text.parts()) {
              if (part instanceof Lexer.Part.Hole hole) {
                found.add(new Condition.Placeholder(hole.name(), hole.column()));
              }
            }
          }
          return node;
        });
    found.sort((a, b) -> Integer.compare(a.column(), b.column()));
    return found;
  }

  /**
   * @throws ConditionException naming the placeholder's column when it has no value or a bare
   *     placeholder's value is not a literal
   */
  static Expr bind(Expr expr, Map<String, String> values) {
    return walk(
        expr,
        node -> {
          if (node instanceof Expr.Placeholder p) {
            return new Expr.Literal(literal(p, valueOf(p.name(), p.column(), values)), p.column());
          }
          if (node instanceof Expr.Text text) {
            StringBuilder joined = new StringBuilder();
            for (Lexer.Part part : text.parts()) {
              joined.append(
                  part instanceof Lexer.Part.Hole hole
                      ? valueOf(hole.name(), hole.column(), values)
                      : ((Lexer.Part.Text) part).text());
            }
            return new Expr.Literal(new Value.Str(joined.toString()), text.column());
          }
          return node;
        });
  }

  private static String valueOf(String name, int column, Map<String, String> values) {
    String value = values.get(name);
    if (value == null) {
      throw new ConditionException("{{" + name + "}} has no value", column);
    }
    return value;
  }

  private static Value literal(Expr.Placeholder p, String value) {
    String text = value.trim();
    if (INTEGER.matcher(text).matches()) {
      try {
        return new Value.Int(Long.parseLong(text));
      } catch (NumberFormatException tooLarge) {
        return new Value.Float(Double.parseDouble(text));
      }
    }
    if (DECIMAL.matcher(text).matches()) {
      return new Value.Float(Double.parseDouble(text));
    }
    return switch (text) {
      case "true" -> Value.TRUE;
      case "false" -> Value.FALSE;
      case "nil" -> Value.NIL;
      default ->
          throw new ConditionException(
              "{{"
                  + p.name()
                  + "}} is \""
                  + value
                  + "\", which is not a number, true, false or nil; to use it as text, quote it:"
                  + " \"{{"
                  + p.name()
                  + "}}\"",
              p.column());
    };
  }

  /** Rebuilds {@code expr} bottom-up, passing every node through {@code change}. */
  static Expr walk(Expr expr, Function<Expr, Expr> change) {
    if (expr == null) {
      return null;
    }
    Expr rebuilt;
    if (expr instanceof Expr.Member m) {
      rebuilt =
          new Expr.Member(
              walk(m.target(), change), walk(m.key(), change), m.optional(), m.column());
    } else if (expr instanceof Expr.Slice s) {
      rebuilt =
          new Expr.Slice(
              walk(s.target(), change), walk(s.from(), change), walk(s.to(), change), s.column());
    } else if (expr instanceof Expr.Unary u) {
      rebuilt = new Expr.Unary(u.op(), walk(u.operand(), change), u.column());
    } else if (expr instanceof Expr.Binary b) {
      rebuilt =
          new Expr.Binary(b.op(), walk(b.left(), change), walk(b.right(), change), b.column());
    } else if (expr instanceof Expr.Conditional c) {
      rebuilt =
          new Expr.Conditional(
              walk(c.condition(), change),
              walk(c.then(), change),
              walk(c.otherwise(), change),
              c.column());
    } else if (expr instanceof Expr.Call c) {
      rebuilt = new Expr.Call(c.function(), walkAll(c.arguments(), change), c.column());
    } else if (expr instanceof Expr.Predicate p) {
      rebuilt = new Expr.Predicate(walk(p.body(), change), p.column());
    } else if (expr instanceof Expr.ArrayLiteral a) {
      rebuilt = new Expr.ArrayLiteral(walkAll(a.items(), change), a.column());
    } else if (expr instanceof Expr.MapLiteral m) {
      rebuilt =
          new Expr.MapLiteral(walkAll(m.keys(), change), walkAll(m.values(), change), m.column());
    } else {
      rebuilt = expr;
    }
    return change.apply(rebuilt);
  }

  private static List<Expr> walkAll(List<Expr> exprs, Function<Expr, Expr> change) {
    List<Expr> rebuilt = new ArrayList<>(exprs.size());
    for (Expr expr : exprs) {
      rebuilt.add(walk(expr, change));
    }
    return List.copyOf(rebuilt);
  }
}
