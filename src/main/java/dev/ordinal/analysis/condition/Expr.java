package dev.ordinal.analysis.condition;

import java.util.List;

/** The parsed form of an expression. */
sealed interface Expr {
  /** 1-based column of the expression's first character (or its operator), for errors. */
  int column();

  record Literal(Value value, int column) implements Expr {}

  /** A string literal with placeholders in it, until they are bound. */
  record Text(List<Lexer.Part> parts, int column) implements Expr {}

  /** A bare {@code {{args.NAME}}} or {@code {{rollout.NAME}}}, until it is bound. */
  record Placeholder(String name, int column) implements Expr {}

  /** A variable of the environment, such as {@code result}. */
  record Variable(String name, int column) implements Expr {}

  /** {@code #} (the element) or {@code #index} inside a predicate. */
  record Pointer(String name, int column) implements Expr {}

  /** {@code target.name}, {@code target[key]}, or with {@code ?.} when optional. */
  record Member(Expr target, Expr key, boolean optional, int column) implements Expr {}

  /** {@code target[from:to]}; either bound may be null. */
  record Slice(Expr target, Expr from, Expr to, int column) implements Expr {}

  /** {@code not}, {@code -} or {@code +}. */
  record Unary(String op, Expr operand, int column) implements Expr {}

  /** A binary operator; {@code &&} and {@code ||} are stored as {@code and} and {@code or}. */
  record Binary(String op, Expr left, Expr right, int column) implements Expr {}

  /** {@code condition ? then : otherwise}. */
  record Conditional(Expr condition, Expr then, Expr otherwise, int column) implements Expr {}

  record Call(String function, List<Expr> arguments, int column) implements Expr {}

  /** The predicate argument of {@code all}, {@code filter}, ...: evaluated once per element. */
  record Predicate(Expr body, int column) implements Expr {}

  record ArrayLiteral(List<Expr> items, int column) implements Expr {}

  record MapLiteral(List<Expr> keys, List<Expr> values, int column) implements Expr {}
}
