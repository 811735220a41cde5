package dev.ordinal.analysis.condition;

/** The parsed form of a condition. */
sealed interface Expr {
  /** 1-based column of the expression's first character, for evaluation errors. */
  int column();

  record Number(double value, int column) implements Expr {}

  record Bool(boolean value, int column) implements Expr {}

  /** {@code result}. */
  record Result(int column) implements Expr {}

  /** {@code #}: the element inside {@code all(...)} / {@code any(...)} predicates. */
  record Element(int column) implements Expr {}

  record Index(Expr target, Expr index, int column) implements Expr {}

  record Negate(Expr operand, int column) implements Expr {}

  record Not(Expr operand, int column) implements Expr {}

  enum ArithmeticOp {
    ADD("+"),
    SUBTRACT("-"),
    MULTIPLY("*"),
    DIVIDE("/");

    final String symbol;

    ArithmeticOp(String symbol) {
      this.symbol = symbol;
    }
  }

  record Arithmetic(ArithmeticOp op, Expr left, Expr right, int column) implements Expr {}

  enum ComparisonOp {
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    EQ("=="),
    NE("!=");

    final String symbol;

    ComparisonOp(String symbol) {
      this.symbol = symbol;
    }
  }

  record Comparison(ComparisonOp op, Expr left, Expr right, int column) implements Expr {}

  record And(Expr left, Expr right, int column) implements Expr {}

  record Or(Expr left, Expr right, int column) implements Expr {}

  /** {@code len(x)}, {@code isNaN(x)}, {@code isInf(x)}. */
  record Call(String function, Expr argument, int column) implements Expr {}

  /** {@code all(xs, {pred})} or {@code any(xs, {pred})}. */
  record Quantifier(boolean all, Expr collection, Expr predicate, int column) implements Expr {}
}
