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
    static List<Part> parts(String src, String origin) {
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
            int end = src.indexOf(close, open + 2);
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
                while (j < body.length() && (Character.isDigit(body.charAt(j)) || body.charAt(j) == '.')) j++;
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
                        char e = body.charAt(++j);
                        switch (e) {
                            case 'n' -> s.append('\n');
                            case 't' -> s.append('\t');
                            case 'r' -> s.append('\r');
                            case '\\', '\'', '"' -> s.append(e);
                            default -> s.append('\\').append(e); // Python keeps unknown escapes as written
                        }
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
