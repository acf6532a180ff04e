package dev.ember.llm.chat;

import static dev.ember.llm.chat.JinjaTemplate.UNDEFINED;

import java.util.ArrayList;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Python's meaning of the operations a chat template applies to its values: {@code String}, {@code Long},
 * {@code Double}, {@code Boolean}, {@code null} (None), {@code List}, {@code Map} and Jinja's undefined value. An
 * operation Python would refuse (adding a string to a number, reading an attribute of an undefined value) is an
 * {@link IllegalArgumentException} naming where in the template it happened.
 */
final class JinjaValues {
    private JinjaValues() {}

    /** The text of a value as Jinja prints it ({@code str()} in Python; undefined prints nothing). */
    static String str(Object v) {
        if (v == UNDEFINED) return "";
        if (v instanceof String s) return s;
        return repr(v);
    }

    private static String repr(Object v) {
        if (v == null) return "None";
        if (v == UNDEFINED) return "";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Double d) return pythonFloat(d);
        if (v instanceof String s) return pythonRepr(s);
        if (v instanceof List<?> l) {
            List<String> items = new ArrayList<>();
            for (Object o : l) items.add(repr(o));
            return "[" + String.join(", ", items) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> items = new ArrayList<>();
            m.forEach((k, x) -> items.add(repr(k) + ": " + repr(x)));
            return "{" + String.join(", ", items) + "}";
        }
        return String.valueOf(v);
    }

    /**
     * Python's {@code repr} of a float: the shortest digits that read back as {@code d} (what Java's
     * {@code Double.toString} finds too), positional from 1e-4 up to 1e16 and in exponent form ({@code 1e+16},
     * {@code 1e-05}) outside that range.
     */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0.0" : "0.0";
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = b.precision() - b.scale() - 1; // the decimal exponent of the first digit
        if (exp >= -4 && exp < 16) {
            String plain = b.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = b.unscaledValue().abs().toString();
        return (d < 0 ? "-" : "") + digits.charAt(0) + (digits.length() > 1 ? "." + digits.substring(1) : "") + "e" + (exp < 0 ? "-" : "+")
                + String.format(Locale.ROOT, "%02d", Math.abs(exp));
    }

    /**
     * Python's {@code repr} of a string: single quotes unless the text has a single quote and no double quote;
     * backslash, the quote, tab, newline and carriage return escaped, other unprintable characters as {@code \xNN},
     * <code>&#92;uNNNN</code> or <code>&#92;UNNNNNNNN</code>.
     */
    static String pythonRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        s.codePoints().forEach(c -> {
            if (c == quote || c == '\\') out.append('\\').appendCodePoint(c);
            else if (c == '\t') out.append("\\t");
            else if (c == '\n') out.append("\\n");
            else if (c == '\r') out.append("\\r");
            else if (printable(c)) out.appendCodePoint(c);
            else if (c < 0x100) out.append(String.format(Locale.ROOT, "\\x%02x", c));
            else if (c < 0x10000) out.append(String.format(Locale.ROOT, "\\u%04x", c));
            else out.append(String.format(Locale.ROOT, "\\U%08x", c));
        });
        return out.append(quote).toString();
    }

    /** Python's {@code str.isprintable} for one character: not a control, format, separator (but space) or unassigned. */
    private static boolean printable(int c) {
        if (c == ' ') return true;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's truth value (undefined is false). */
    static boolean truthy(Object v) {
        if (v == null || v == UNDEFINED) return false;
        if (v instanceof Boolean b) return b;
        if (v instanceof Long l) return l != 0;
        if (v instanceof Double d) return d != 0;
        if (v instanceof String s) return !s.isEmpty();
        if (v instanceof List<?> l) return !l.isEmpty();
        if (v instanceof Map<?, ?> m) return !m.isEmpty();
        return true;
    }

    private static String type(Object v) {
        if (v == null) return "NoneType";
        if (v == UNDEFINED) return "undefined";
        if (v instanceof Boolean) return "bool";
        if (v instanceof Long) return "int";
        if (v instanceof Double) return "float";
        if (v instanceof String) return "str";
        if (v instanceof List<?>) return "list";
        if (v instanceof Map<?, ?>) return "dict";
        return v.getClass().getSimpleName();
    }

    private static boolean isNumber(Object v) { return v instanceof Long || v instanceof Double || v instanceof Boolean; }

    private static boolean isInteger(Object v) { return v instanceof Long || v instanceof Boolean; }

    private static long asLong(Object v) { return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v; }

    private static double asDouble(Object v) { return v instanceof Double d ? d : asLong(v); }

    private static void defined(Object v, String at, String what) {
        if (v == UNDEFINED) throw new IllegalArgumentException(at + ": " + what + " an undefined value");
    }

    /** The items a {@code for} loop visits: a list's items, a dict's keys, a string's characters; undefined: none. */
    static List<?> iterate(Object v, String at) {
        if (v == UNDEFINED) return List.of();
        if (v instanceof List<?> l) return l;
        if (v instanceof Map<?, ?> m) return new ArrayList<>(m.keySet());
        if (v instanceof String s) return s.codePoints().mapToObj(Character::toString).toList();
        throw new IllegalArgumentException(at + ": cannot loop over a value of type " + type(v));
    }

    /** Python's methods of str, list and dict: what jinja2's {@code x.name} finds before any item of that name. */
    private static final Set<String> STR_METHODS = Set.of("capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs",
            "find", "format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
            "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition",
            "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
            "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill");
    private static final Set<String> LIST_METHODS = Set.of("append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove",
            "reverse", "sort");
    private static final Set<String> DICT_METHODS = Set.of("clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem",
            "setdefault", "update", "values");

    /**
     * {@code v.name}: a dict's item (Jinja reads attributes and items alike); missing: undefined. A name that is one
     * of Python's methods of the value ({@code m.content.strip}, {@code m.items} without a call) is refused: jinja2
     * gives the method itself, which is true in a test and prints as {@code <built-in method ...>}.
     */
    static Object attribute(Object v, String name, String at) {
        defined(v, at, "cannot read the attribute '" + name + "' of");
        if (v instanceof Map<?, ?> m && DICT_METHODS.contains(name) || v instanceof String && STR_METHODS.contains(name)
                || v instanceof List<?> && LIST_METHODS.contains(name))
            throw new IllegalArgumentException(at + ": unsupported construct: the " + type(v) + " method '." + name + "' without a call (jinja2 "
                    + "would give the method itself); " + ChatTemplate.SUPPORTED);
        if (v instanceof Map<?, ?> m) return m.containsKey(name) ? m.get(name) : UNDEFINED;
        return UNDEFINED;
    }

    /** {@code v[index]}: a list item (negative counts from the end), a character, a dict item; missing: undefined. */
    static Object item(Object v, Object index, String at) {
        defined(v, at, "cannot index");
        if (v instanceof Map<?, ?> m) return m.containsKey(index) ? m.get(index) : UNDEFINED;
        if (v instanceof List<?> || v instanceof String) {
            if (!isInteger(index)) throw new IllegalArgumentException(at + ": a " + type(v) + " index must be an integer, got " + type(index));
            // strings count code points, as Python does (and '|length' here): an emoji is one character, not two
            int n = v instanceof List<?> l ? l.size() : ((String) v).codePointCount(0, ((String) v).length());
            long k = asLong(index);
            if (k < 0) k += n;
            if (k < 0 || k >= n) return UNDEFINED;
            if (v instanceof List<?> l) return l.get((int) k);
            String str = (String) v;
            return Character.toString(str.codePointAt(str.offsetByCodePoints(0, (int) k)));
        }
        return UNDEFINED;
    }

    /** {@code v[from:to]} with Python's clamping and negative bounds. */
    static Object slice(Object v, Object from, Object to, String at) {
        defined(v, at, "cannot slice");
        int n;
        if (v instanceof List<?> l) n = l.size();
        else if (v instanceof String s) n = s.codePointCount(0, s.length()); // code points, as Python counts
        else throw new IllegalArgumentException(at + ": cannot slice a value of type " + type(v));
        int a = bound(from, 0, n, at), b = bound(to, n, n, at);
        if (b < a) b = a;
        if (v instanceof List<?> l) return new ArrayList<>(l.subList(a, b));
        String str = (String) v;
        int start = str.offsetByCodePoints(0, a);
        return str.substring(start, str.offsetByCodePoints(start, b - a));
    }

    private static int bound(Object x, int fallback, int n, String at) {
        if (x == null) return fallback;
        if (!isInteger(x)) throw new IllegalArgumentException(at + ": slice bounds must be integers, got " + type(x));
        long k = asLong(x);
        if (k < 0) k += n;
        return (int) Math.max(0, Math.min(n, k));
    }

    static Object negate(Object v, String at) {
        if (v instanceof Double d) return -d;
        if (isInteger(v)) return -asLong(v);
        throw new IllegalArgumentException(at + ": cannot negate a value of type " + type(v));
    }

    /** Python's {@code ==} (numbers by value, undefined equal only to undefined). */
    static boolean equal(Object a, Object b) {
        if (a == UNDEFINED || b == UNDEFINED) return a == b;
        if (isNumber(a) && isNumber(b)) return asDouble(a) == asDouble(b);
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int k = 0; k < x.size(); k++) if (!equal(x.get(k), y.get(k))) return false;
            return true;
        }
        return Objects.equals(a, b);
    }

    static Object binary(String op, Object a, Object b, String at) {
        switch (op) {
            case "==" -> { return equal(a, b); }
            case "!=" -> { return !equal(a, b); }
            case "~" -> { return str(a) + str(b); }
            case "in" -> {
                if (b == UNDEFINED) return false; // Jinja's undefined iterates as empty
                if (b instanceof String s) {
                    if (!(a instanceof String x)) throw new IllegalArgumentException(at + ": 'in <string>' requires a string, got " + type(a));
                    return s.contains(x);
                }
                if (b instanceof List<?> l) {
                    for (Object o : l) if (equal(o, a)) return true;
                    return false;
                }
                if (b instanceof Map<?, ?> m) return m.containsKey(a);
                throw new IllegalArgumentException(at + ": 'in' cannot search a value of type " + type(b));
            }
            default -> { }
        }
        defined(a, at, "'" + op + "' cannot use");
        defined(b, at, "'" + op + "' cannot use");
        if (op.equals("<") || op.equals(">") || op.equals("<=") || op.equals(">=")) {
            int c;
            if (isNumber(a) && isNumber(b)) c = Double.compare(asDouble(a), asDouble(b));
            else if (a instanceof String x && b instanceof String y) c = x.compareTo(y);
            else throw new IllegalArgumentException(at + ": cannot compare " + type(a) + " " + op + " " + type(b));
            return switch (op) {
                case "<" -> c < 0;
                case ">" -> c > 0;
                case "<=" -> c <= 0;
                default -> c >= 0;
            };
        }
        if (op.equals("+")) {
            if (a instanceof String x && b instanceof String y) return x + y;
            if (a instanceof List<?> x && b instanceof List<?> y) {
                List<Object> l = new ArrayList<>(x);
                l.addAll(y);
                return l;
            }
        }
        if (op.equals("*") && (a instanceof String || b instanceof String) && (isInteger(a) || isInteger(b))) {
            String s = a instanceof String x ? x : (String) b;
            return s.repeat((int) Math.max(0, asLong(a instanceof String ? b : a)));
        }
        if (!isNumber(a) || !isNumber(b))
            throw new IllegalArgumentException(at + ": unsupported operand types for " + op + ": '" + type(a) + "' and '" + type(b) + "'");
        boolean ints = isInteger(a) && isInteger(b);
        switch (op) {
            case "+" -> { return ints ? (Object) (asLong(a) + asLong(b)) : (Object) (asDouble(a) + asDouble(b)); }
            case "-" -> { return ints ? (Object) (asLong(a) - asLong(b)) : (Object) (asDouble(a) - asDouble(b)); }
            case "*" -> { return ints ? (Object) (asLong(a) * asLong(b)) : (Object) (asDouble(a) * asDouble(b)); }
            case "/" -> {
                if (asDouble(b) == 0) throw new IllegalArgumentException(at + ": division by zero");
                return asDouble(a) / asDouble(b);
            }
            case "//", "%" -> {
                if (asDouble(b) == 0) throw new IllegalArgumentException(at + ": integer division or modulo by zero");
                if (ints) {
                    long x = asLong(a), y = asLong(b);
                    return op.equals("//") ? Math.floorDiv(x, y) : Math.floorMod(x, y);
                }
                double x = asDouble(a), y = asDouble(b), q = Math.floor(x / y);
                return op.equals("//") ? q : x - q * y;
            }
            default -> throw new IllegalArgumentException(at + ": unsupported operator " + op);
        }
    }

    static Object filter(String name, Object v, String at) {
        switch (name) {
            case "trim" -> { return strip(str(v), null, true, true); }
            case "upper" -> { return str(v).toUpperCase(java.util.Locale.ROOT); }
            case "lower" -> { return str(v).toLowerCase(java.util.Locale.ROOT); }
            case "string" -> { return str(v); }
            case "length" -> {
                if (v == UNDEFINED) return 0L;
                if (v instanceof String s) return (long) s.codePointCount(0, s.length());
                if (v instanceof List<?> l) return (long) l.size();
                if (v instanceof Map<?, ?> m) return (long) m.size();
                throw new IllegalArgumentException(at + ": '|length' of a value of type " + type(v));
            }
            case "first", "last" -> {
                List<?> items = iterate(v, at);
                if (items.isEmpty()) return UNDEFINED;
                return name.equals("first") ? items.getFirst() : items.getLast();
            }
            default -> throw new IllegalArgumentException(at + ": unsupported filter " + name);
        }
    }

    static boolean test(String name, Object v) {
        return switch (name) {
            case "defined" -> v != UNDEFINED;
            case "undefined" -> v == UNDEFINED;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> isNumber(v);
            case "boolean" -> v instanceof Boolean;
            default -> throw new IllegalStateException(name);
        };
    }

    static Object method(Object target, String name, List<Object> args, String at) {
        defined(target, at, "cannot call '." + name + "()' on");
        if (!(target instanceof String s))
            throw new IllegalArgumentException(at + ": '." + name + "()' is a string method; the value is of type " + type(target));
        int arity = switch (name) {
            case "upper", "lower" -> 0;
            case "startswith", "endswith" -> 1;
            default -> args.size() <= 1 ? args.size() : -1; // strip family: optional characters
        };
        if (arity != args.size()) throw new IllegalArgumentException(at + ": '." + name + "()' takes " + Math.max(arity, 0) + " argument(s), got " + args.size());
        return switch (name) {
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "startswith", "endswith" -> {
                if (!(args.getFirst() instanceof String p)) throw new IllegalArgumentException(at + ": '." + name + "()' needs a string argument");
                yield name.equals("startswith") ? s.startsWith(p) : s.endsWith(p);
            }
            default -> {
                String chars = null;
                if (!args.isEmpty() && args.getFirst() != null) {
                    if (!(args.getFirst() instanceof String c)) throw new IllegalArgumentException(at + ": '." + name + "()' needs a string argument");
                    chars = c;
                }
                yield strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            }
        };
    }

    /** Python's {@code str.strip}: whitespace (or the characters in {@code chars}) removed from either end. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int a = 0, b = s.length();
        while (left && a < b && strippable(s.charAt(a), chars)) a++;
        while (right && b > a && strippable(s.charAt(b - 1), chars)) b--;
        return s.substring(a, b);
    }

    private static boolean strippable(char c, String chars) {
        // Python's str.isspace: Java's whitespace and space separators, and NEL (U+0085), which Java counts as neither
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085' : chars.indexOf(c) >= 0;
    }
}
