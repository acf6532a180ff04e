package dev.ember.data.io;

/**
 * The numbers a CSV column holds: plain decimals {@code [+-]?(d+.?d*|.d+)([eE][+-]?d+)?} and
 * {@code [+-]?(inf|Inf|INF|Infinity)}. {@link Double#parseDouble} alone would also accept
 * {@code 1d}, {@code 0x1p3}, {@code NaN} and {@code Infinity} with trailing text; this scanner
 * checks the grammar in one pass, without a regular expression.
 */
final class CsvNumbers {
    private CsvNumbers() {}

    /** Whether {@code s} (already stripped) is a number of the grammar above. */
    static boolean isNumber(String s) {
        int n = s.length(), i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        if (isInfinity(s, i)) return true;
        int intDigits = digits(s, i);
        i += intDigits;
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            fracDigits = digits(s, i + 1);
            i += 1 + fracDigits;
        }
        if (intDigits == 0 && fracDigits == 0) return false;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int expDigits = digits(s, i);
            if (expDigits == 0) return false;
            i += expDigits;
        }
        return i == n;
    }

    /** The value of a string {@link #isNumber} accepted. */
    static double parse(String s) {
        int sign = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
        if (isInfinity(s, sign)) return s.charAt(0) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        return Double.parseDouble(s);
    }

    private static boolean isInfinity(String s, int from) {
        int len = s.length() - from;
        if (len == 3) return s.startsWith("inf", from) || s.startsWith("Inf", from) || s.startsWith("INF", from);
        return len == 8 && s.startsWith("Infinity", from);
    }

    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        return i - from;
    }
}
