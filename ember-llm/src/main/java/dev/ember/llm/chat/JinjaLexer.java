package dev.ember.llm.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Jinja template into text, {@code {{ expression }}} and {@code {% statement %}} parts, applying the whitespace
 * rules of the environment Hugging Face renders chat templates in ({@code trim_blocks=True, lstrip_blocks=True}) and
 * the {@code -}/{@code +} modifiers; comments {@code {# #}} are dropped. Also splits the inside of a tag into tokens.
 */
final class JinjaLexer {
    private JinjaLexer() {}

    /** A part of the template: TEXT (literal output), EXPR ({@code {{ }}}) or STMT ({@code {% %}}), with its line. */
    record Part(Kind kind, String body, int line) {}

    enum Kind { TEXT, EXPR, STMT }

    /** A token inside a tag: NAME, STRING (unescaped), NUMBER, OP (an operator or bracket) or END. */
    record Token(TokenKind kind, String text) {
        boolean is(String s) { return (kind == TokenKind.OP || kind == TokenKind.NAME) && text.equals(s); }
    }

    enum TokenKind { NAME, STRING, NUMBER, OP, END }

    /** The parts of {@code src}; {@code origin} names the template in errors. */
    static List<Part> parts(String source, String origin) {
        // as Jinja's lexer: every line ending becomes \n, and one newline at the very end goes (keep_trailing_newline=False)
        String src = source.replaceAll("\r\n|\r", "\n");
        if (src.endsWith("\n")) src = src.substring(0, src.length() - 1);
        List<Part> out = new ArrayList<>();
        int i = 0, line = 1;
        boolean stripNext = false, trimNewline = false;
        StringBuilder text = new StringBuilder();
        while (i < src.length()) {
            int open = nextOpen(src, i);
            String before = src.substring(i, open < 0 ? src.length() : open);
            if (stripNext) before = before.stripLeading();
            else if (trimNewline) before = before.startsWith("\r\n") ? before.substring(2) : before.startsWith("\n") ? before.substring(1) : before;
            stripNext = trimNewline = false;
            if (open < 0) {
                text.append(before);
                break;
            }
            char kind = src.charAt(open + 1);
            String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int tagLine = line + count(src, i, open);
            int end = kind == '#' ? src.indexOf(close, open + 2) : tagEnd(src, open + 2, close);
            if (end < 0)
                throw new IllegalArgumentException(origin + ": line " + tagLine + ": '" + src.substring(open, open + 2) + "' is never closed by '" + close + "'");
            String inner = src.substring(open + 2, end);
            boolean minusLeft = inner.startsWith("-"), plusLeft = inner.startsWith("+");
            boolean minusRight = inner.length() > (minusLeft ? 1 : 0) && inner.endsWith("-");
            boolean plusRight = inner.length() > (plusLeft ? 1 : 0) && inner.endsWith("+");
            if (minusLeft || plusLeft) inner = inner.substring(1);
            if (minusRight || plusRight) inner = inner.substring(0, inner.length() - 1);
            if (minusLeft) {
                before = before.stripTrailing();
            } else if (kind != '{' && !plusLeft) {
                // lstrip_blocks: spaces and tabs between the start of a source line and a block or comment tag go
                int k = open;
                while (k > i && (src.charAt(k - 1) == ' ' || src.charAt(k - 1) == '\t')) k--;
                if (k == 0 || src.charAt(k - 1) == '\n') before = before.replaceAll("[ \t]+$", "");
            }
            text.append(before);
            if (kind != '#') {
                if (!text.isEmpty()) out.add(new Part(Kind.TEXT, text.toString(), tagLine));
                text.setLength(0);
                out.add(new Part(kind == '{' ? Kind.EXPR : Kind.STMT, inner.strip(), tagLine));
            }
            stripNext = minusRight;
            trimNewline = !minusRight && !plusRight && kind != '{'; // trim_blocks: the newline after a block tag goes
            line = tagLine + count(src, open, end + 2);
            i = end + 2;
        }
        if (!text.isEmpty()) out.add(new Part(Kind.TEXT, text.toString(), line));
        return out;
    }

    /** Where {@code close} ends a tag's body from {@code from}, not counting text inside string literals ({@code '}}'}); -1: never. */
    private static int tagEnd(String s, int from, String close) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') i++;
                else if (c == quote) quote = 0;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return quote != 0 ? s.indexOf(close, from) : -1; // an unterminated string: the tokenizer reports it
    }

    private static int nextOpen(String s, int from) {
        for (int i = from; i + 1 < s.length(); i++) {
            if (s.charAt(i) == '{') {
                char c = s.charAt(i + 1);
                if (c == '{' || c == '%' || c == '#') return i;
            }
        }
        return -1;
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) if (s.charAt(i) == '\n') n++;
        return n;
    }

    /**
     * Python's escape sequence at {@code body[at]} (just after the backslash), as Jinja decodes string literals
     * ({@code unicode-escape}), appended to {@code s}; returns the index after it. {@code \N{name}} is refused.
     */
    private static int escape(String body, int at, StringBuilder s, String where) {
        char e = body.charAt(at);
        switch (e) {
            case 'n' -> s.append('\n');
            case 't' -> s.append('\t');
            case 'r' -> s.append('\r');
            case 'a' -> s.append('\u0007');
            case 'b' -> s.append('\b');
            case 'f' -> s.append('\f');
            case 'v' -> s.append('\u000B');
            case '\n' -> { } // a backslash before a newline joins the lines
            case '\\', '\'', '"' -> s.append(e);
            case 'x', 'u', 'U' -> {
                int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (at + 1 + n > body.length() || !body.substring(at + 1, at + 1 + n).matches("[0-9a-fA-F]{" + n + "}"))
                    throw new IllegalArgumentException(where + ": truncated \\" + e + " escape in a string literal");
                int cp = Integer.parseInt(body.substring(at + 1, at + 1 + n), 16);
                if (!Character.isValidCodePoint(cp)) throw new IllegalArgumentException(where + ": \\" + e + " escape out of range in a string literal");
                s.appendCodePoint(cp);
                return at + 1 + n;
            }
            case 'N' -> throw new IllegalArgumentException(where + ": unsupported construct: \\N{...} escapes in string literals; " + ChatTemplate.SUPPORTED);
            default -> {
                if (e >= '0' && e <= '7') { // octal: up to three digits
                    int j = at, v = 0;
                    while (j < body.length() && j < at + 3 && body.charAt(j) >= '0' && body.charAt(j) <= '7') v = v * 8 + body.charAt(j++) - '0';
                    s.append((char) v);
                    return j;
                }
                s.append('\\').append(e); // Python keeps unknown escapes as written
            }
        }
        return at + 1;
    }

    private static final String[] OPERATORS = {"==", "!=", "<=", ">=", "//", "**", "<", ">", "+", "-", "*", "/", "%", "~", "(", ")", "[", "]",
            ".", ",", "|", ":", "=", "{", "}"};

    /** The tokens of a tag's body, ending with END; {@code where} names the tag in errors. */
    static List<Token> tokens(String body, String where) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < body.length() && (Character.isLetterOrDigit(body.charAt(j)) || body.charAt(j) == '_')) j++;
                out.add(new Token(TokenKind.NAME, body.substring(i, j)));
                i = j;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < body.length() && (Character.isDigit(body.charAt(j)) || body.charAt(j) == '_'
                        || body.charAt(j) == '.' && j + 1 < body.length() && Character.isDigit(body.charAt(j + 1))))
                    j++;
                if (j < body.length() && (body.charAt(j) == 'e' || body.charAt(j) == 'E')) { // an exponent: 1e16, 2.5e-3
                    int k = j + 1;
                    if (k < body.length() && (body.charAt(k) == '+' || body.charAt(k) == '-')) k++;
                    if (k < body.length() && Character.isDigit(body.charAt(k))) {
                        j = k;
                        while (j < body.length() && (Character.isDigit(body.charAt(j)) || body.charAt(j) == '_')) j++;
                    }
                }
                out.add(new Token(TokenKind.NUMBER, body.substring(i, j)));
                i = j;
            } else if (c == '\'' || c == '"') {
                StringBuilder s = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= body.length()) throw new IllegalArgumentException(where + ": unterminated string literal");
                    char d = body.charAt(j);
                    if (d == c) break;
                    if (d == '\\' && j + 1 < body.length()) {
                        j = escape(body, j + 1, s, where);
                        continue;
                    } else {
                        s.append(d);
                    }
                    j++;
                }
                out.add(new Token(TokenKind.STRING, s.toString()));
                i = j + 1;
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (body.startsWith(o, i)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) throw new IllegalArgumentException(where + ": unexpected character '" + c + "'");
                out.add(new Token(TokenKind.OP, op));
                i += op.length();
            }
        }
        out.add(new Token(TokenKind.END, ""));
        return out;
    }
}
