package dev.ember.llm.chat;

import dev.ember.llm.chat.JinjaLexer.Kind;
import dev.ember.llm.chat.JinjaLexer.Part;
import dev.ember.llm.chat.JinjaLexer.Token;
import dev.ember.llm.chat.JinjaLexer.TokenKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subset of Jinja that simple chat templates use, parsed once and rendered with Python's semantics for the values
 * involved (strings, integers, booleans, none, lists and dicts). What is supported is listed in {@link ChatTemplate};
 * everything else is refused when the template is parsed, with an error naming the template's origin, the line and
 * the construct, so that a template is either rendered as Jinja would render it or not at all.
 */
final class JinjaTemplate {
    /** Jinja's undefined value: empty when printed, false when tested, an error when used in any other way. */
    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() { return "Undefined"; }
    };

    static final Set<String> FILTERS = Set.of("trim", "length", "upper", "lower", "string", "first", "last");
    static final Set<String> TESTS = Set.of("defined", "undefined", "none", "string", "number", "boolean");
    static final Set<String> METHODS = Set.of("strip", "lstrip", "rstrip", "upper", "lower", "startswith", "endswith");
    static final Set<String> FUNCTIONS = Set.of("raise_exception");

    private final List<Node> body;
    private final String origin;

    private JinjaTemplate(List<Node> body, String origin) {
        this.body = body;
        this.origin = origin;
    }

    /** Parses {@code source}; {@code origin} (e.g. a file name) prefixes every error. */
    static JinjaTemplate parse(String source, String origin) {
        Parser p = new Parser(JinjaLexer.parts(source, origin), origin);
        List<Node> nodes = p.block(Set.of());
        if (p.pos < p.parts.size()) {
            Part stray = p.parts.get(p.pos);
            throw new IllegalArgumentException(origin + ": line " + stray.line() + ": '{% " + stray.body() + " %}' has no matching opening tag");
        }
        return new JinjaTemplate(nodes, origin);
    }

    /** The text of the template with {@code variables} (the names it reads; others are undefined). */
    String render(Map<String, Object> variables) {
        StringBuilder out = new StringBuilder();
        new Renderer(origin, out).run(body, new Scope(null, new HashMap<>(variables)));
        return out.toString();
    }

    // =========================================================================================
    // Syntax tree
    // =========================================================================================

    sealed interface Node permits Text, Output, If, For, SetVar {}

    record Text(String text) implements Node {}

    record Output(Expr expr, int line) implements Node {}

    record If(List<Expr> conditions, List<Integer> lines, List<List<Node>> branches, List<Node> otherwise) implements Node {}

    record For(String variable, Expr iterable, List<Node> body, int line) implements Node {}

    record SetVar(String name, Expr value, int line) implements Node {}

    sealed interface Expr permits Literal, Var, Attr, Index, Slice, Unary, Binary, Filter, Test, Call, Method, ListLit, Conditional {}

    record Literal(Object value) implements Expr {}

    record Var(String name) implements Expr {}

    record Attr(Expr target, String name) implements Expr {}

    record Index(Expr target, Expr index) implements Expr {}

    record Slice(Expr target, Expr from, Expr to) implements Expr {}

    record Unary(String op, Expr operand) implements Expr {}

    record Binary(String op, Expr left, Expr right) implements Expr {}

    record Filter(Expr target, String name) implements Expr {}

    record Test(Expr target, String name, boolean negated) implements Expr {}

    record Call(String function, List<Expr> args) implements Expr {}

    record Method(Expr target, String name, List<Expr> args) implements Expr {}

    record ListLit(List<Expr> items) implements Expr {}

    record Conditional(Expr condition, Expr then, Expr otherwise) implements Expr {}

    // =========================================================================================
    // Parser
    // =========================================================================================

    private static final class Parser {
        final List<Part> parts;
        final String origin;
        int pos;

        Parser(List<Part> parts, String origin) {
            this.parts = parts;
            this.origin = origin;
        }

        /** Nodes up to a statement whose keyword is in {@code ends} (left unconsumed), or the end. */
        List<Node> block(Set<String> ends) {
            List<Node> nodes = new ArrayList<>();
            while (pos < parts.size()) {
                Part part = parts.get(pos);
                switch (part.kind()) {
                    case TEXT -> {
                        nodes.add(new Text(part.body()));
                        pos++;
                    }
                    case EXPR -> {
                        Exprs e = new Exprs(part, origin);
                        nodes.add(new Output(e.expression(), part.line()));
                        e.end();
                        pos++;
                    }
                    case STMT -> {
                        String keyword = keyword(part);
                        if (ends.contains(keyword)) return nodes;
                        nodes.add(statement(part, keyword));
                    }
                }
            }
            if (!ends.isEmpty()) {
                String want = ends.contains("endfor") ? "endfor" : "endif";
                throw new IllegalArgumentException(origin + ": the template ends before '{% " + want + " %}'");
            }
            return nodes;
        }

        private static String keyword(Part part) {
            String b = part.body();
            int i = 0;
            while (i < b.length() && (Character.isLetterOrDigit(b.charAt(i)) || b.charAt(i) == '_')) i++;
            return b.substring(0, i);
        }

        private Node statement(Part part, String keyword) {
            switch (keyword) {
                case "if" -> { return ifStatement(); }
                case "for" -> { return forStatement(part); }
                case "set" -> {
                    Exprs e = new Exprs(part, origin);
                    e.expectName("set");
                    String name = e.name("a variable name after 'set'");
                    if (e.peek().is(".") || e.peek().is(",") || e.peek().is("["))
                        throw e.unsupported("'set' of anything but a plain variable (attribute, item or tuple assignment)");
                    if (!e.peek().is("=")) throw e.unsupported("'{% set %}...{% endset %}' blocks");
                    e.next();
                    Expr value = e.expression();
                    e.end();
                    pos++;
                    return new SetVar(name, value, part.line());
                }
                case "generation" -> {
                    // Hugging Face's marker of assistant text for return_assistant_tokens_mask: Ember finds those tokens itself
                    pos++;
                    List<Node> inner = block(Set.of("endgeneration"));
                    expectEnd("endgeneration", part);
                    return new If(List.of(new Literal(true)), List.of(part.line()), List.of(inner), List.of());
                }
                default -> throw new IllegalArgumentException(origin + ": line " + part.line() + ": unsupported construct '{% " + abbreviate(part.body())
                        + " %}': " + ChatTemplate.SUPPORTED);
            }
        }

        private Node ifStatement() {
            List<Expr> conditions = new ArrayList<>();
            List<Integer> lines = new ArrayList<>(); // of each condition, for errors while rendering
            List<List<Node>> branches = new ArrayList<>();
            List<Node> otherwise = List.of();
            Part open = parts.get(pos);
            Exprs e = new Exprs(open, origin);
            e.expectName("if");
            conditions.add(e.expression());
            lines.add(open.line());
            e.end();
            pos++;
            while (true) {
                branches.add(block(Set.of("elif", "else", "endif")));
                if (pos >= parts.size()) throw new IllegalArgumentException(origin + ": line " + open.line() + ": '{% if %}' is never closed by '{% endif %}'");
                Part p = parts.get(pos);
                String k = keyword(p);
                if (k.equals("elif")) {
                    Exprs c = new Exprs(p, origin);
                    c.expectName("elif");
                    conditions.add(c.expression());
                    lines.add(p.line());
                    c.end();
                    pos++;
                } else if (k.equals("else")) {
                    new Exprs(p, origin).expectOnly("else");
                    pos++;
                    otherwise = block(Set.of("endif"));
                    expectEnd("endif", open);
                    break;
                } else {
                    expectEnd("endif", open);
                    break;
                }
            }
            return new If(conditions, lines, branches, otherwise);
        }

        private Node forStatement(Part part) {
            Exprs e = new Exprs(part, origin);
            e.expectName("for");
            String var = e.name("a loop variable after 'for'");
            if (e.peek().is(",")) throw e.unsupported("tuple unpacking in 'for'");
            e.expectName("in");
            Expr iterable = e.orExpr(); // not expression(): 'for x in xs if c' is a filtered loop, refused below
            if (e.peek().is("if")) throw e.unsupported("filtered loops ('for ... in ... if ...')");
            if (e.peek().is("recursive")) throw e.unsupported("recursive loops");
            e.end();
            pos++;
            List<Node> body = block(Set.of("endfor", "else"));
            if (pos < parts.size() && keyword(parts.get(pos)).equals("else"))
                throw new IllegalArgumentException(origin + ": line " + parts.get(pos).line() + ": unsupported construct '{% for %}...{% else %}': "
                        + ChatTemplate.SUPPORTED);
            expectEnd("endfor", part);
            return new For(var, iterable, body, part.line());
        }

        private void expectEnd(String keyword, Part open) {
            if (pos >= parts.size() || !keyword(parts.get(pos)).equals(keyword))
                throw new IllegalArgumentException(origin + ": line " + open.line() + ": '{% " + abbreviate(open.body()) + " %}' is never closed by '{% "
                        + keyword + " %}'");
            new Exprs(parts.get(pos), origin).expectOnly(keyword);
            pos++;
        }
    }

    static String abbreviate(String s) { return s.length() <= 60 ? s : s.substring(0, 57) + "..."; }

    /** The expression parser of one tag, with Jinja's precedence (filters and tests bind tighter than operators). */
    private static final class Exprs {
        final List<Token> tokens;
        final String where;
        final Part part;
        int i;

        Exprs(Part part, String origin) {
            this.part = part;
            this.where = origin + ": line " + part.line() + ": '" + (part.kind() == Kind.EXPR ? "{{ " : "{% ") + abbreviate(part.body())
                    + (part.kind() == Kind.EXPR ? " }}" : " %}") + "'";
            this.tokens = JinjaLexer.tokens(part.body(), where);
        }

        Token peek() { return tokens.get(i); }

        Token next() { return tokens.get(i++); }

        IllegalArgumentException unsupported(String what) {
            return new IllegalArgumentException(where + ": unsupported construct: " + what + "; " + ChatTemplate.SUPPORTED);
        }

        IllegalArgumentException error(String what) { return new IllegalArgumentException(where + ": " + what); }

        void expectName(String name) {
            if (!peek().is(name)) throw error("expected '" + name + "', found '" + peek().text() + "'");
            i++;
        }

        void expectOnly(String keyword) {
            expectName(keyword);
            end();
        }

        void expect(String op) {
            if (!(peek().kind() == TokenKind.OP && peek().text().equals(op))) throw error("expected '" + op + "', found '" + peek().text() + "'");
            i++;
        }

        String name(String what) {
            if (peek().kind() != TokenKind.NAME) throw error("expected " + what + ", found '" + peek().text() + "'");
            return next().text();
        }

        void end() {
            if (peek().kind() != TokenKind.END) throw error("unexpected '" + peek().text() + "' after the expression");
        }

        Expr expression() {
            Expr e = orExpr();
            if (peek().is("if")) { // a if c else b
                i++;
                Expr c = orExpr();
                Expr otherwise = new Literal(UNDEFINED);
                if (peek().is("else")) {
                    i++;
                    otherwise = expression();
                }
                return new Conditional(c, e, otherwise);
            }
            return e;
        }

        Expr orExpr() {
            Expr e = andExpr();
            while (peek().is("or")) {
                i++;
                e = new Binary("or", e, andExpr());
            }
            return e;
        }

        Expr andExpr() {
            Expr e = notExpr();
            while (peek().is("and")) {
                i++;
                e = new Binary("and", e, notExpr());
            }
            return e;
        }

        Expr notExpr() {
            if (peek().is("not")) {
                i++;
                return new Unary("not", notExpr());
            }
            return compare();
        }

        Expr compare() {
            Expr e = sum();
            while (true) {
                Token t = peek();
                if (t.kind() == TokenKind.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                    i++;
                    e = new Binary(t.text(), e, sum());
                } else if (t.is("in")) {
                    i++;
                    e = new Binary("in", e, sum());
                } else if (t.is("not") && tokens.get(i + 1).is("in")) {
                    i += 2;
                    e = new Unary("not", new Binary("in", e, sum()));
                } else {
                    return e;
                }
            }
        }

        Expr sum() {
            Expr e = concat();
            while (peek().is("+") || peek().is("-")) {
                String op = next().text();
                e = new Binary(op, e, concat());
            }
            return e;
        }

        Expr concat() {
            Expr e = product();
            while (peek().is("~")) {
                i++;
                e = new Binary("~", e, product());
            }
            return e;
        }

        Expr product() {
            Expr e = unary();
            while (peek().is("*") || peek().is("/") || peek().is("//") || peek().is("%")) {
                String op = next().text();
                e = new Binary(op, e, unary());
            }
            return e;
        }

        Expr unary() { return unary(true); }

        /** Jinja's parse_unary: {@code -x|f} is {@code f(-x)}, the operand of '-' taking no filters of its own. */
        Expr unary(boolean withFilters) {
            Expr e;
            if (peek().is("-")) {
                i++;
                e = new Unary("-", unary(false));
            } else {
                e = postfix(primary());
            }
            if (peek().is("**")) throw unsupported("'**'");
            if (!withFilters) return e;
            while (true) {
                if (peek().is("|")) {
                    i++;
                    String f = name("a filter name after '|'");
                    if (!FILTERS.contains(f) || peek().is("(")) throw unsupported("the filter '" + f + (peek().is("(") ? "(...)'" : "'"));
                    e = new Filter(e, f);
                } else if (peek().is("is")) {
                    i++;
                    boolean negated = false;
                    if (peek().is("not")) {
                        i++;
                        negated = true;
                    }
                    String t = name("a test name after 'is'");
                    if (!TESTS.contains(t)) throw unsupported("the test 'is " + t + "'");
                    e = new Test(e, t, negated);
                } else {
                    return e;
                }
            }
        }

        Expr primary() {
            Token t = next();
            switch (t.kind()) {
                case STRING -> {
                    Expr e = new Literal(t.text());
                    while (peek().kind() == TokenKind.STRING) e = new Literal(((String) ((Literal) e).value()) + next().text()); // 'a' 'b'
                    return e;
                }
                case NUMBER -> {
                    String digits = t.text().replace("_", "");
                    try {
                        return new Literal(digits.contains(".") || digits.contains("e") || digits.contains("E") ? (Object) Double.parseDouble(digits)
                                : (Object) Long.parseLong(digits));
                    } catch (NumberFormatException ex) {
                        throw error("bad number '" + t.text() + "'");
                    }
                }
                case NAME -> {
                    switch (t.text()) {
                        case "true", "True" -> { return new Literal(true); }
                        case "false", "False" -> { return new Literal(false); }
                        case "none", "None" -> { return new Literal(null); }
                        default -> { }
                    }
                    if (peek().is("(")) {
                        if (!FUNCTIONS.contains(t.text())) throw unsupported("the function '" + t.text() + "(...)'");
                        return new Call(t.text(), arguments());
                    }
                    return new Var(t.text());
                }
                case OP -> {
                    if (t.text().equals("(")) {
                        Expr e = expression();
                        if (peek().is(",")) throw unsupported("tuples");
                        expect(")");
                        return e;
                    }
                    if (t.text().equals("[")) {
                        List<Expr> items = new ArrayList<>();
                        while (!peek().is("]")) {
                            items.add(expression());
                            if (!peek().is("]")) expect(",");
                        }
                        i++;
                        return new ListLit(items);
                    }
                    if (t.text().equals("{")) throw unsupported("dict literals");
                    throw error("unexpected '" + t.text() + "'");
                }
                default -> throw error("the expression ends too early");
            }
        }

        Expr postfix(Expr e) {
            while (true) {
                if (peek().is(".")) {
                    i++;
                    String n = name("an attribute name after '.'");
                    if (peek().is("(")) {
                        if (!METHODS.contains(n)) throw unsupported("the method '." + n + "(...)'");
                        e = new Method(e, n, arguments());
                    } else {
                        e = new Attr(e, n);
                    }
                } else if (peek().is("[")) {
                    i++;
                    Expr from = peek().is(":") ? null : expression();
                    if (peek().is(":")) {
                        i++;
                        Expr to = peek().is("]") ? null : expression();
                        if (peek().is(":")) throw unsupported("slices with a step");
                        expect("]");
                        e = new Slice(e, from, to);
                    } else {
                        expect("]");
                        e = new Index(e, from);
                    }
                } else if (peek().is("(")) {
                    throw unsupported("calling the result of an expression");
                } else {
                    return e;
                }
            }
        }

        List<Expr> arguments() {
            expect("(");
            List<Expr> args = new ArrayList<>();
            while (!peek().is(")")) {
                if (peek().kind() == TokenKind.NAME && tokens.get(i + 1).is("=")) throw unsupported("keyword arguments");
                args.add(expression());
                if (!peek().is(")")) expect(",");
            }
            i++;
            return args;
        }
    }

    // =========================================================================================
    // Rendering
    // =========================================================================================

    /** Variables: a frame per loop iteration over the enclosing ones, as Jinja scopes them. */
    private record Scope(Scope parent, Map<String, Object> vars) {
        Object get(String name) {
            for (Scope s = this; s != null; s = s.parent) if (s.vars.containsKey(name)) return s.vars.get(name);
            return UNDEFINED;
        }
    }

    private static final class Renderer {
        final String origin;
        final StringBuilder out;

        Renderer(String origin, StringBuilder out) {
            this.origin = origin;
            this.out = out;
        }

        void run(List<Node> nodes, Scope scope) {
            for (Node n : nodes) {
                switch (n) {
                    case Text t -> out.append(t.text());
                    case Output o -> out.append(JinjaValues.str(eval(o.expr(), scope, o.line())));
                    case SetVar s -> scope.vars().put(s.name(), eval(s.value(), scope, s.line()));
                    case If f -> {
                        boolean taken = false;
                        for (int k = 0; k < f.conditions().size() && !taken; k++) {
                            if (JinjaValues.truthy(eval(f.conditions().get(k), scope, f.lines().get(k)))) {
                                run(f.branches().get(k), scope);
                                taken = true;
                            }
                        }
                        if (!taken) run(f.otherwise(), scope);
                    }
                    case For f -> loop(f, scope);
                }
            }
        }

        private void loop(For f, Scope scope) {
            Object it = eval(f.iterable(), scope, f.line());
            List<?> items = JinjaValues.iterate(it, origin + ": line " + f.line() + ": for " + f.variable());
            int n = items.size();
            for (int k = 0; k < n; k++) {
                Map<String, Object> loop = new HashMap<>();
                loop.put("index0", (long) k);
                loop.put("index", (long) k + 1);
                loop.put("revindex0", (long) (n - k - 1));
                loop.put("revindex", (long) (n - k));
                loop.put("first", k == 0);
                loop.put("last", k == n - 1);
                loop.put("length", (long) n);
                loop.put("previtem", k > 0 ? items.get(k - 1) : UNDEFINED);
                loop.put("nextitem", k < n - 1 ? items.get(k + 1) : UNDEFINED);
                loop.put("depth", 1L); // loops are never recursive here
                loop.put("depth0", 0L);
                Map<String, Object> vars = new HashMap<>();
                vars.put(f.variable(), items.get(k));
                vars.put("loop", loop);
                run(f.body(), new Scope(scope, vars));
            }
        }

        Object eval(Expr e, Scope scope, int line) {
            String at = origin + (line > 0 ? ": line " + line : "");
            return switch (e) {
                case Literal l -> l.value();
                case Var v -> scope.get(v.name());
                case Attr a -> JinjaValues.attribute(eval(a.target(), scope, line), a.name(), at);
                case Index x -> JinjaValues.item(eval(x.target(), scope, line), eval(x.index(), scope, line), at);
                case Slice s -> JinjaValues.slice(eval(s.target(), scope, line), s.from() == null ? null : eval(s.from(), scope, line),
                        s.to() == null ? null : eval(s.to(), scope, line), at);
                case Unary u -> u.op().equals("not") ? !JinjaValues.truthy(eval(u.operand(), scope, line))
                        : JinjaValues.negate(eval(u.operand(), scope, line), at);
                case Binary b -> switch (b.op()) {
                    case "and" -> {
                        Object l = eval(b.left(), scope, line);
                        yield JinjaValues.truthy(l) ? eval(b.right(), scope, line) : l;
                    }
                    case "or" -> {
                        Object l = eval(b.left(), scope, line);
                        yield JinjaValues.truthy(l) ? l : eval(b.right(), scope, line);
                    }
                    default -> JinjaValues.binary(b.op(), eval(b.left(), scope, line), eval(b.right(), scope, line), at);
                };
                case Filter f -> JinjaValues.filter(f.name(), eval(f.target(), scope, line), at);
                case Test t -> JinjaValues.test(t.name(), eval(t.target(), scope, line)) != t.negated();
                case Call c -> {
                    List<Object> args = new ArrayList<>();
                    for (Expr a : c.args()) args.add(eval(a, scope, line));
                    // raise_exception, the only function: the template rejects the conversation
                    throw new IllegalArgumentException(at + ": the chat template rejects this conversation: "
                            + (args.isEmpty() ? "(no message)" : JinjaValues.str(args.getFirst())));
                }
                case Method m -> {
                    List<Object> args = new ArrayList<>();
                    for (Expr a : m.args()) args.add(eval(a, scope, line));
                    yield JinjaValues.method(eval(m.target(), scope, line), m.name(), args, at);
                }
                case ListLit l -> {
                    List<Object> items = new ArrayList<>();
                    for (Expr a : l.items()) items.add(eval(a, scope, line));
                    yield items;
                }
                case Conditional c -> JinjaValues.truthy(eval(c.condition(), scope, line)) ? eval(c.then(), scope, line) : eval(c.otherwise(), scope, line);
            };
        }
    }
}
