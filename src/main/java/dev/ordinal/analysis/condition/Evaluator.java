package dev.ordinal.analysis.condition;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Walks an expression tree with expr-lang's semantics. Ordinal's additions, none of which can turn
 * missing data into a pass:
 *
 * <ul>
 *   <li>an array of exactly one number may stand for that number ({@code result < 0.05} on a
 *       single-series vector), and a scalar result may be indexed as {@code result[0]};
 *   <li>every comparison that involves NaN is false, including {@code !=}, so that {@code not}
 *       cannot turn "unknown" into "fine";
 *   <li>{@link #sawNonFinite} records whether a NaN or an infinity was read or computed.
 * </ul>
 */
final class Evaluator {
  private static final DateTimeFormatter SPACED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final Set<String> INT_OPERATORS = Set.of("+", "-", "*", "%");
  private static final Set<String> OVER_ITEMS =
      Set.of("all", "any", "none", "one", "filter", "map", "count", "sum");

  /** Go layout elements, longest first where one is a prefix of another. */
  private static final Map<String, String> GO_LAYOUT = goLayoutElements();

  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern GO_DURATION_PART =
      Pattern.compile("(\\d*\\.?\\d*)(ns|us|µs|μs|ms|s|m|h)");

  private final String label;
  private final Map<String, Value> variables;
  private final Instant now;
  private final Map<String, Pattern> patterns = new LinkedHashMap<>();
  boolean sawNonFinite;

  private static Map<String, String> goLayoutElements() {
    Map<String, String> elements = new LinkedHashMap<>();
    elements.put("2006", "yyyy");
    elements.put("Z07:00", "XXX");
    elements.put("-07:00", "xxx");
    elements.put("-0700", "xx");
    elements.put("January", "MMMM");
    elements.put("Jan", "MMM");
    elements.put("Monday", "EEEE");
    elements.put("Mon", "EEE");
    elements.put("MST", "zzz");
    elements.put(".000000000", ".SSSSSSSSS");
    elements.put(".000000", ".SSSSSS");
    elements.put(".000", ".SSS");
    elements.put("01", "MM");
    elements.put("02", "dd");
    elements.put("15", "HH");
    elements.put("03", "hh");
    elements.put("04", "mm");
    elements.put("05", "ss");
    elements.put("PM", "a");
    elements.put("06", "yy");
    return elements;
  }

  /** The element (and its index) of the predicate being evaluated, innermost first. */
  private record Frame(Value element, long index) {}

  /**
   * @param label how errors name the expression, e.g. {@code condition 'result[0] < 1'}
   * @param now what {@code now()} returns; null where it is not available
   */
  /** Evaluation steps (expressions visited) one evaluation may take. */
  static final int MAX_STEPS = 1_000_000;

  private int steps;

  Evaluator(String label, Map<String, Value> variables, Instant now) {
    this.label = label;
    this.variables = variables;
    this.now = now;
  }

  Value eval(Expr expr) {
    return eval(expr, null);
  }

  private Value eval(Expr expr, Frame frame) {
    if (++steps > MAX_STEPS) {
      // Nested predicates over ranges can ask for billions of steps; a measurement (and the check
      // of a condition when it is loaded) must end.
      throw error(
          expr,
          "takes more than "
              + MAX_STEPS
              + " steps to evaluate; a condition over a Prometheus result needs far fewer");
    }
    Value value = evalNode(expr, frame);
    if (value instanceof Value.Float f && !Double.isFinite(f.value())) {
      sawNonFinite = true;
    }
    return value;
  }

  private Value evalNode(Expr expr, Frame frame) {
    if (expr instanceof Expr.Literal literal) {
      return literal.value();
    }
    if (expr instanceof Expr.Variable variable) {
      return variables.getOrDefault(variable.name(), Value.NIL);
    }
    if (expr instanceof Expr.Pointer pointer) {
      return pointer.name().equals("index") ? new Value.Int(frame.index()) : frame.element();
    }
    if (expr instanceof Expr.Member member) {
      return member(member, frame);
    }
    if (expr instanceof Expr.Slice slice) {
      return slice(slice, frame);
    }
    if (expr instanceof Expr.Unary unary) {
      return unary(unary, frame);
    }
    if (expr instanceof Expr.Binary binary) {
      return binary(binary, frame);
    }
    if (expr instanceof Expr.Conditional conditional) {
      return bool(conditional.condition(), frame, "'?'")
          ? eval(conditional.then(), frame)
          : eval(conditional.otherwise(), frame);
    }
    if (expr instanceof Expr.Call call) {
      return call(call, frame);
    }
    if (expr instanceof Expr.ArrayLiteral array) {
      List<Value> items = new ArrayList<>();
      for (Expr item : array.items()) {
        items.add(eval(item, frame));
      }
      return new Value.Array(items);
    }
    if (expr instanceof Expr.MapLiteral map) {
      Map<String, Value> entries = new LinkedHashMap<>();
      for (int i = 0; i < map.keys().size(); i++) {
        Value key = eval(map.keys().get(i), frame);
        if (!(key instanceof Value.Str text)) {
          throw error(map.keys().get(i), "a map key must be a string, got " + describe(key));
        }
        entries.put(text.value(), eval(map.values().get(i), frame));
      }
      return new Value.MapValue(entries);
    }
    if (expr instanceof Expr.Placeholder placeholder) {
      throw error(placeholder, "{{" + placeholder.name() + "}} was never filled in");
    }
    if (expr instanceof Expr.Text text) {
      throw error(text, "a placeholder in this string was never filled in");
    }
    throw new IllegalStateException("cannot evaluate " + expr);
  }

  // ---------------------------------------------------------------- members

  private Value member(Expr.Member member, Frame frame) {
    Value target = eval(member.target(), frame);
    if (target == Value.NIL && member.optional()) {
      return Value.NIL;
    }
    Value key = eval(member.key(), frame);
    if (target instanceof Value.MapValue map) {
      if (!(key instanceof Value.Str name)) {
        throw error(member, "a map is indexed by strings, not by " + describe(key));
      }
      return map.entries().getOrDefault(name.value(), Value.NIL);
    }
    List<Value> items = indexable(target);
    if (items == null) {
      String what = key instanceof Value.Str name ? "'" + name.value() + "'" : describe(key);
      throw error(member, "cannot read " + what + " from " + describe(target));
    }
    long position = integer(key, member, "an index");
    long resolved = position < 0 ? items.size() + position : position;
    if (resolved < 0 || resolved >= items.size()) {
      throw new ConditionEvaluationException.OutOfRange(
          label
              + ": index "
              + position
              + " at column "
              + member.column()
              + " is out of range; "
              + (member.target() instanceof Expr.Variable v ? "the " + v.name() : "the array")
              + " has "
              + items.size()
              + " value"
              + (items.size() == 1 ? "" : "s"));
    }
    return items.get((int) resolved);
  }

  /** Items of an array; a float is an array of one (a scalar result as result[0]). */
  private static List<Value> indexable(Value value) {
    if (value instanceof Value.Array array) {
      return array.items();
    }
    if (value instanceof Value.Float) {
      return List.of(value);
    }
    return null;
  }

  private Value slice(Expr.Slice slice, Frame frame) {
    Value target = eval(slice.target(), frame);
    int size;
    if (target instanceof Value.Array array) {
      size = array.items().size();
    } else if (target instanceof Value.Str text) {
      size = text.value().length();
    } else {
      throw error(slice, "cannot slice " + describe(target));
    }
    int from = bound(slice.from(), frame, 0, size);
    int to = Math.max(from, bound(slice.to(), frame, size, size));
    return target instanceof Value.Array array
        ? new Value.Array(array.items().subList(from, to))
        : new Value.Str(((Value.Str) target).value().substring(from, to));
  }

  private int bound(Expr expr, Frame frame, int absent, int size) {
    if (expr == null) {
      return absent;
    }
    long value = integer(eval(expr, frame), expr, "a slice bound");
    long resolved = value < 0 ? size + value : value;
    return (int) Math.max(0, Math.min(size, resolved));
  }

  // ---------------------------------------------------------------- operators

  private Value unary(Expr.Unary unary, Frame frame) {
    if (unary.op().equals("not")) {
      return Value.of(!bool(unary.operand(), frame, "'not'"));
    }
    Value operand = eval(unary.operand(), frame);
    Value number = numeric(operand);
    if (unary.op().equals("+") && number != null) {
      return number;
    }
    if (number instanceof Value.Int i) {
      return new Value.Int(-i.value());
    }
    if (number instanceof Value.Float f) {
      return new Value.Float(-f.value());
    }
    if (operand instanceof Value.Span span && unary.op().equals("-")) {
      return new Value.Span(span.value().negated());
    }
    throw error(unary, "'" + unary.op() + "' needs a number but got " + describe(operand));
  }

  private Value binary(Expr.Binary binary, Frame frame) {
    String op = binary.op();
    // and, or and ?? do not evaluate their right side when the left one decides
    if (op.equals("and")) {
      return Value.of(bool(binary.left(), frame, "'and'") && bool(binary.right(), frame, "'and'"));
    }
    if (op.equals("or")) {
      return Value.of(bool(binary.left(), frame, "'or'") || bool(binary.right(), frame, "'or'"));
    }
    if (op.equals("??")) {
      Value left = eval(binary.left(), frame);
      return left == Value.NIL ? eval(binary.right(), frame) : left;
    }
    Value left = eval(binary.left(), frame);
    Value right = eval(binary.right(), frame);
    return switch (op) {
      case "==" -> Value.of(equality(binary, left, right));
      case "!=" -> Value.of(!equality(binary, left, right) && !nan(left, right));
      case "<", "<=", ">", ">=" -> order(binary, left, right);
      case "in" -> Value.of(in(binary, left, right));
      case "matches", "contains", "startsWith", "endsWith" -> text(binary, left, right);
      case ".." -> range(binary, left, right);
      default -> arithmetic(binary, left, right);
    };
  }

  /**
   * {@code ==} between two values. Like expr's type checker, comparing a number with a string (or a
   * bool) is an error, not a silent false: {@code asFloat(result) == "1.1"} is a mistake.
   */
  private boolean equality(Expr.Binary binary, Value left, Value right) {
    String a = scalarKind(left);
    String b = scalarKind(right);
    if (a != null && b != null && !a.equals(b)) {
      throw error(
          binary,
          "'"
              + binary.op()
              + "' compares "
              + left.type()
              + " with "
              + right.type()
              + "; convert one side, e.g. asFloat(x) or asInt(x)");
    }
    return equal(left, right);
  }

  /** Whether a NaN takes part: then == and != are both false. */
  private boolean nan(Value left, Value right) {
    Value a = numeric(left);
    Value b = numeric(right);
    return a != null && b != null && (isNaN(a) || isNaN(b));
  }

  private static String scalarKind(Value value) {
    if (value instanceof Value.Int || value instanceof Value.Float) {
      return "number";
    }
    if (value instanceof Value.Bool || value instanceof Value.Str) {
      return value.type();
    }
    return null;
  }

  /**
   * expr's equality: numbers by value across int and float (never with NaN), arrays and maps item
   * by item, other values when they are the same.
   */
  private boolean equal(Value left, Value right) {
    Value a = numeric(left);
    Value b = numeric(right);
    if (a != null && b != null) {
      if (isNaN(a) || isNaN(b)) {
        sawNonFinite = true;
        return false;
      }
      return compareNumbers(a, b) == 0;
    }
    return same(left, right);
  }

  private boolean same(Value left, Value right) {
    if (left instanceof Value.Array a && right instanceof Value.Array b) {
      if (a.items().size() != b.items().size()) {
        return false;
      }
      for (int i = 0; i < a.items().size(); i++) {
        if (!equal(a.items().get(i), b.items().get(i))) {
          return false;
        }
      }
      return true;
    }
    if (left instanceof Value.MapValue a && right instanceof Value.MapValue b) {
      if (!a.entries().keySet().equals(b.entries().keySet())) {
        return false;
      }
      for (Map.Entry<String, Value> entry : a.entries().entrySet()) {
        if (!equal(entry.getValue(), b.entries().get(entry.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return left.equals(right);
  }

  private Value order(Expr.Binary binary, Value left, Value right) {
    String op = binary.op();
    int compared;
    Value a = numeric(left);
    Value b = numeric(right);
    if (a != null && b != null) {
      if (isNaN(a) || isNaN(b)) {
        sawNonFinite = true;
        return Value.FALSE;
      }
      compared = compareNumbers(a, b);
    } else if (left instanceof Value.Str x && right instanceof Value.Str y) {
      compared = x.value().compareTo(y.value());
    } else if (left instanceof Value.Time x && right instanceof Value.Time y) {
      compared = x.value().compareTo(y.value());
    } else if (left instanceof Value.Span x && right instanceof Value.Span y) {
      compared = x.value().compareTo(y.value());
    } else {
      Value wrong = a == null ? left : right;
      Expr where = a == null ? binary.left() : binary.right();
      throw error(
          where,
          "'" + op + "' needs numbers, strings or times but got " + describe(wrong) + hint(wrong));
    }
    return Value.of(
        switch (op) {
          case "<" -> compared < 0;
          case "<=" -> compared <= 0;
          case ">" -> compared > 0;
          default -> compared >= 0;
        });
  }

  private boolean in(Expr.Binary binary, Value needle, Value haystack) {
    if (haystack instanceof Value.Array array) {
      for (Value item : array.items()) {
        if (equal(needle, item)) {
          return true;
        }
      }
      return false;
    }
    if (haystack instanceof Value.MapValue map) {
      return needle instanceof Value.Str key && map.entries().containsKey(key.value());
    }
    if (numeric(haystack) != null) {
      return equal(needle, haystack);
    }
    String hint = haystack instanceof Value.Str ? " (for text use 'contains')" : "";
    throw error(
        binary.right(), "'in' needs an array or a map but got " + describe(haystack) + hint);
  }

  private Value text(Expr.Binary binary, Value left, Value right) {
    if (!(left instanceof Value.Str a) || !(right instanceof Value.Str b)) {
      Value wrong = left instanceof Value.Str ? right : left;
      throw error(binary, "'" + binary.op() + "' needs two strings but got " + describe(wrong));
    }
    return Value.of(
        switch (binary.op()) {
          case "contains" -> a.value().contains(b.value());
          case "startsWith" -> a.value().startsWith(b.value());
          case "endsWith" -> a.value().endsWith(b.value());
          default -> pattern(binary, b.value()).matcher(a.value()).find();
        });
  }

  private Pattern pattern(Expr at, String regex) {
    Pattern pattern = patterns.get(regex);
    if (pattern == null) {
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw error(at, "invalid regular expression '" + regex + "': " + e.getDescription());
      }
      patterns.put(regex, pattern);
    }
    return pattern;
  }

  private Value range(Expr.Binary binary, Value left, Value right) {
    long from = integer(left, binary.left(), "'..'");
    long to = integer(right, binary.right(), "'..'");
    long length;
    try {
      length = Math.subtractExact(to, from);
    } catch (ArithmeticException overflow) {
      length = Long.MAX_VALUE;
    }
    if (length > 100_000) {
      throw error(binary, "the range " + from + ".." + to + " is too long");
    }
    List<Value> items = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      items.add(new Value.Int(i));
    }
    return new Value.Array(items);
  }

  private Value arithmetic(Expr.Binary binary, Value left, Value right) {
    String op = binary.op();
    if (op.equals("+") && left instanceof Value.Str a && right instanceof Value.Str b) {
      return new Value.Str(a.value() + b.value());
    }
    Value time = timeArithmetic(op, left, right);
    if (time != null) {
      return time;
    }
    Value a = numeric(left);
    Value b = numeric(right);
    if (a == null || b == null) {
      Value wrong = a == null ? left : right;
      Expr where = a == null ? binary.left() : binary.right();
      throw error(where, "'" + op + "' needs a number but got " + describe(wrong) + hint(wrong));
    }
    // as in expr, int op int stays an int except for / and **, which give floats
    if (a instanceof Value.Int x && b instanceof Value.Int y && INT_OPERATORS.contains(op)) {
      if (op.equals("%") && y.value() == 0) {
        throw error(binary, "integer divide by zero");
      }
      return new Value.Int(
          switch (op) {
            case "+" -> x.value() + y.value();
            case "-" -> x.value() - y.value();
            case "*" -> x.value() * y.value();
            default -> x.value() % y.value();
          });
    }
    if (op.equals("%")) {
      throw error(binary, "'%' needs two ints but got " + describe(a) + " and " + describe(b));
    }
    double x = asDouble(a);
    double y = asDouble(b);
    return new Value.Float(
        switch (op) {
          case "+" -> x + y;
          case "-" -> x - y;
          case "*" -> x * y;
          case "/" -> x / y;
          default -> Math.pow(x, y);
        });
  }

  private static Value timeArithmetic(String op, Value left, Value right) {
    if (left instanceof Value.Time t && right instanceof Value.Span d) {
      return switch (op) {
        case "+" -> new Value.Time(t.value().plus(d.value()));
        case "-" -> new Value.Time(t.value().minus(d.value()));
        default -> null;
      };
    }
    if (left instanceof Value.Span d && right instanceof Value.Time t && op.equals("+")) {
      return new Value.Time(t.value().plus(d.value()));
    }
    if (left instanceof Value.Time a && right instanceof Value.Time b && op.equals("-")) {
      return new Value.Span(Duration.between(b.value(), a.value()));
    }
    if (left instanceof Value.Span a && right instanceof Value.Span b) {
      return switch (op) {
        case "+" -> new Value.Span(a.value().plus(b.value()));
        case "-" -> new Value.Span(a.value().minus(b.value()));
        default -> null;
      };
    }
    return null;
  }

  // ---------------------------------------------------------------- functions

  private Value call(Expr.Call call, Frame frame) {
    String name = call.function();
    List<Expr> arguments = call.arguments();
    if (OVER_ITEMS.contains(name)) {
      return overItems(call, frame);
    }
    List<Value> values = new ArrayList<>();
    for (Expr argument : arguments) {
      values.add(eval(argument, frame));
    }
    Value first = values.isEmpty() ? null : values.get(0);
    return switch (name) {
      case "len" -> length(call, first);
      case "mean" -> mean(call, first);
      case "first" -> edge(call, first, true);
      case "last" -> edge(call, first, false);
      case "max", "min" -> extreme(call, values, name.equals("max"));
      case "abs" -> abs(call, first);
      case "ceil", "floor", "round" -> rounded(call, first);
      case "int", "asInt" -> toInt(call, first);
      case "float", "asFloat" -> toFloat(call, first);
      case "isNaN" -> Value.of(isNaN(number(call, first)));
      case "isInf" -> Value.of(isInfinite(number(call, first)));
      case "isNil" -> Value.of(first == Value.NIL);
      case "default" -> first == Value.NIL ? values.get(1) : first;
      case "now" -> now(call);
      case "duration" -> new Value.Span(goDuration(call, string(call, first)));
      case "date" -> new Value.Time(date(call, values));
      default -> throw new IllegalStateException("no implementation of " + name + "()");
    };
  }

  /** all, any, none, one, filter, map, and count and sum with or without a predicate. */
  private Value overItems(Expr.Call call, Frame frame) {
    String name = call.function();
    List<Value> items = items(call, eval(call.arguments().get(0), frame));
    Expr predicate =
        call.arguments().size() > 1 ? ((Expr.Predicate) call.arguments().get(1)).body() : null;
    List<Value> kept = new ArrayList<>(items.size());
    long holding = 0;
    for (int i = 0; i < items.size(); i++) {
      Value item = items.get(i);
      if (predicate == null || name.equals("map") || name.equals("sum")) {
        kept.add(predicate == null ? item : eval(predicate, new Frame(item, i)));
        continue;
      }
      boolean holds = bool(predicate, new Frame(item, i), "the predicate of " + name + "()");
      // all, any and none stop at the first element that decides, as expr does
      if (name.equals("all") && !holds || name.equals("none") && holds) {
        return Value.FALSE;
      }
      if (name.equals("any") && holds) {
        return Value.TRUE;
      }
      if (holds) {
        holding++;
        kept.add(item);
      }
    }
    return switch (name) {
      case "all", "none" -> Value.TRUE;
      case "any" -> Value.FALSE;
      case "one" -> Value.of(holding == 1);
      case "filter", "map" -> new Value.Array(kept);
      case "count" -> new Value.Int(predicate == null ? countTrue(call, kept) : holding);
      default -> sum(call, kept);
    };
  }

  private List<Value> items(Expr.Call call, Value collection) {
    List<Value> items = indexable(collection);
    if (items == null) {
      throw error(
          call.arguments().get(0),
          call.function() + "() needs an array but got " + describe(collection));
    }
    return items;
  }

  private long countTrue(Expr.Call call, List<Value> values) {
    long count = 0;
    for (Value value : values) {
      if (!(value instanceof Value.Bool bool)) {
        throw error(
            call, "count() without a predicate counts true values, but got " + describe(value));
      }
      count += bool.value() ? 1 : 0;
    }
    return count;
  }

  private Value sum(Expr.Call call, List<Value> values) {
    long whole = 0;
    double total = 0;
    boolean floating = false;
    for (Value value : values) {
      Value number = numeric(value);
      if (number == null) {
        throw error(call, "sum() needs numbers but got " + describe(value));
      }
      if (number instanceof Value.Int i && !floating) {
        whole += i.value();
      } else {
        if (!floating) {
          total = whole;
          floating = true;
        }
        total += asDouble(number);
      }
    }
    return floating ? new Value.Float(total) : new Value.Int(whole);
  }

  private Value mean(Expr.Call call, Value collection) {
    List<Value> items = items(call, collection);
    if (items.isEmpty()) {
      return new Value.Float(0);
    }
    return new Value.Float(asDouble(sum(call, items)) / items.size());
  }

  private Value edge(Expr.Call call, Value collection, boolean first) {
    List<Value> items = items(call, collection);
    if (items.isEmpty()) {
      return Value.NIL;
    }
    return items.get(first ? 0 : items.size() - 1);
  }

  private Value length(Expr.Call call, Value value) {
    if (value instanceof Value.Str text) {
      return new Value.Int(text.value().codePointCount(0, text.value().length()));
    }
    if (value instanceof Value.MapValue map) {
      return new Value.Int(map.entries().size());
    }
    List<Value> items = indexable(value);
    if (items == null) {
      throw error(call, "len() needs an array, a map or a string but got " + describe(value));
    }
    return new Value.Int(items.size());
  }

  /** max/min over numbers and arrays of numbers, nested; nil when there is none; NaN wins. */
  private Value extreme(Expr.Call call, List<Value> arguments, boolean max) {
    Value best = null;
    List<Value> pending = new ArrayList<>(arguments);
    while (!pending.isEmpty()) {
      Value value = pending.remove(0);
      if (value instanceof Value.Array array) {
        pending.addAll(0, array.items());
        continue;
      }
      if (!(value instanceof Value.Int || value instanceof Value.Float)) {
        throw error(call, call.function() + "() needs numbers but got " + describe(value));
      }
      if (isNaN(value)) {
        return value;
      }
      if (best == null
          || (max ? compareNumbers(value, best) > 0 : compareNumbers(value, best) < 0)) {
        best = value;
      }
    }
    return best == null ? Value.NIL : best;
  }

  private Value abs(Expr.Call call, Value value) {
    Value number = number(call, value);
    return number instanceof Value.Int i
        ? new Value.Int(Math.abs(i.value()))
        : new Value.Float(Math.abs(asDouble(number)));
  }

  private Value rounded(Expr.Call call, Value value) {
    double x = asDouble(number(call, value));
    return new Value.Float(
        switch (call.function()) {
          case "ceil" -> Math.ceil(x);
          case "floor" -> Math.floor(x);
          // Go's math.Round: half away from zero
          default -> Math.signum(x) * Math.floor(Math.abs(x) + 0.5);
        });
  }

  private Value toInt(Expr.Call call, Value value) {
    if (value instanceof Value.Str text) {
      try {
        return new Value.Int(Long.parseLong(text.value().trim()));
      } catch (NumberFormatException e) {
        throw error(call, call.function() + "(): " + value + " is not an integer");
      }
    }
    Value number = number(call, value);
    if (number instanceof Value.Int) {
      return number;
    }
    double x = asDouble(number);
    if (!Double.isFinite(x)) {
      throw error(call, call.function() + "(): " + number + " has no integer value");
    }
    return new Value.Int((long) x);
  }

  private Value toFloat(Expr.Call call, Value value) {
    if (value instanceof Value.Str text) {
      // Go's strconv.ParseFloat, which Argo's asFloat() uses, also reads NaN and Inf
      String s = text.value().trim();
      Double special =
          switch (s.toLowerCase(Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> null;
          };
      if (special != null) {
        return new Value.Float(special);
      }
      if (!DECIMAL.matcher(s).matches()) {
        throw error(call, call.function() + "(): " + value + " is not a number");
      }
      return new Value.Float(Double.parseDouble(s));
    }
    return new Value.Float(asDouble(number(call, value)));
  }

  private Value now(Expr.Call call) {
    if (now == null) {
      throw error(call, "now() is only available in rangeQuery start and end");
    }
    return new Value.Time(now);
  }

  private String string(Expr.Call call, Value value) {
    if (value instanceof Value.Str text) {
      return text.value();
    }
    throw error(call, call.function() + "() needs a string but got " + describe(value));
  }

  /** Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "-5m"; "0" alone. */
  private Duration goDuration(Expr.Call call, String text) {
    String rest = text;
    boolean negative = rest.startsWith("-");
    if (negative || rest.startsWith("+")) {
      rest = rest.substring(1);
    }
    if (rest.equals("0")) {
      return Duration.ZERO;
    }
    Matcher part = GO_DURATION_PART.matcher(rest);
    double nanos = 0;
    int at = 0;
    while (at < rest.length() && part.find(at) && part.start() == at) {
      String amount = part.group(1);
      if (amount.isEmpty() || amount.equals(".")) {
        break;
      }
      double unit =
          switch (part.group(2)) {
            case "ns" -> 1;
            case "us", "µs", "μs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
          };
      nanos += Double.parseDouble(amount) * unit;
      at = part.end();
    }
    if (at == 0 || at != rest.length()) {
      throw error(
          call,
          "duration(\""
              + text
              + "\"): not a duration; write a number with a unit: ns, us, ms, s, m or h (e.g. \"5m\")");
    }
    Duration duration = Duration.ofNanos(Math.round(nanos));
    return negative ? duration.negated() : duration;
  }

  /**
   * expr's date(text[, layout[, timezone]]): without a layout RFC 3339, "2006-01-02 15:04:05" or
   * "2006-01-02"; a layout is written the Go way, by example of Mon Jan 2 15:04:05 MST 2006. The
   * time zone defaults to UTC.
   */
  private Instant date(Expr.Call call, List<Value> arguments) {
    String text = string(call, arguments.get(0));
    ZoneId zone = ZoneOffset.UTC;
    if (arguments.size() == 3) {
      String name = string(call, arguments.get(2));
      try {
        zone = ZoneId.of(name);
      } catch (DateTimeException e) {
        throw error(call, "date(): unknown time zone \"" + name + "\"");
      }
    }
    List<DateTimeFormatter> layouts =
        arguments.size() >= 2
            ? List.of(goLayout(call, string(call, arguments.get(1))))
            : List.of(
                DateTimeFormatter.ISO_OFFSET_DATE_TIME, SPACED, DateTimeFormatter.ISO_LOCAL_DATE);
    for (DateTimeFormatter layout : layouts) {
      try {
        TemporalAccessor parsed =
            layout.parseBest(text, ZonedDateTime::from, LocalDateTime::from, LocalDate::from);
        if (parsed instanceof ZonedDateTime zoned) {
          return zoned.toInstant();
        }
        if (parsed instanceof LocalDateTime local) {
          return local.atZone(zone).toInstant();
        }
        return ((LocalDate) parsed).atStartOfDay(zone).toInstant();
      } catch (DateTimeParseException next) {
        // try the next layout
      }
    }
    throw error(
        call,
        "date(\""
            + text
            + "\"): not a date"
            + (arguments.size() >= 2
                ? " in the layout given"
                : "; write 2006-01-02, 2006-01-02 15:04:05 or RFC 3339, or pass a layout"));
  }

  /** Go's reference-time layout ("2006-01-02 15:04:05") as a formatter. */
  private DateTimeFormatter goLayout(Expr.Call call, String layout) {
    StringBuilder pattern = new StringBuilder();
    int at = 0;
    outer:
    while (at < layout.length()) {
      for (Map.Entry<String, String> token : GO_LAYOUT.entrySet()) {
        if (layout.startsWith(token.getKey(), at)) {
          pattern.append(token.getValue());
          at += token.getKey().length();
          continue outer;
        }
      }
      char c = layout.charAt(at++);
      pattern.append(Character.isLetter(c) ? "'" + c + "'" : c == '\'' ? "''" : String.valueOf(c));
    }
    try {
      return DateTimeFormatter.ofPattern(pattern.toString(), Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw error(call, "date(): cannot read the layout \"" + layout + "\"");
    }
  }

  // ---------------------------------------------------------------- helpers

  /** An Int or a Float, or the one number of a one-element array; null otherwise. */
  private static Value numeric(Value value) {
    if (value instanceof Value.Int || value instanceof Value.Float) {
      return value;
    }
    if (value instanceof Value.Array array
        && array.items().size() == 1
        && (array.items().get(0) instanceof Value.Int
            || array.items().get(0) instanceof Value.Float)) {
      return array.items().get(0);
    }
    return null;
  }

  private Value number(Expr.Call call, Value value) {
    Value number = numeric(value);
    if (number == null) {
      throw error(
          call, call.function() + "() needs a number but got " + describe(value) + hint(value));
    }
    return number;
  }

  private boolean bool(Expr expr, Frame frame, String what) {
    Value value = eval(expr, frame);
    if (value instanceof Value.Bool bool) {
      return bool.value();
    }
    throw error(expr, what + " needs true or false but got " + describe(value));
  }

  private long integer(Value value, Expr at, String what) {
    if (value instanceof Value.Int i) {
      return i.value();
    }
    if (value instanceof Value.Float f && f.value() == Math.rint(f.value())) {
      return (long) f.value();
    }
    throw error(at, what + " must be an integer, got " + describe(value));
  }

  private static int compareNumbers(Value a, Value b) {
    if (a instanceof Value.Int x && b instanceof Value.Int y) {
      return Long.compare(x.value(), y.value());
    }
    return Double.compare(asDouble(a), asDouble(b));
  }

  private static double asDouble(Value number) {
    return number instanceof Value.Int i ? i.value() : ((Value.Float) number).value();
  }

  private static boolean isNaN(Value number) {
    return number instanceof Value.Float f && Double.isNaN(f.value());
  }

  private static boolean isInfinite(Value number) {
    return number instanceof Value.Float f && Double.isInfinite(f.value());
  }

  static String describe(Value value) {
    if (value instanceof Value.Array || value instanceof Value.MapValue) {
      return "an " + (value instanceof Value.Array ? "array " : "map ") + value;
    }
    if (value == Value.NIL) {
      return "nil";
    }
    return value.type() + " " + value;
  }

  private static String hint(Value value) {
    return value instanceof Value.Array
        ? "; use result[i], all(result, {# < x}), any(result, {# > x}) or max(result)"
        : "";
  }

  private ConditionEvaluationException error(Expr at, String problem) {
    return new ConditionEvaluationException(
        label + ": " + problem + " (at column " + at.column() + ")");
  }
}
