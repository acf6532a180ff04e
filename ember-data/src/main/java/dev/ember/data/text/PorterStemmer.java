package dev.ember.data.text;

/**
 * The Porter stemmer, the original 1980 algorithm (M.F. Porter, "An algorithm for suffix
 * stripping", Program 14(3)), without the later departures of Porter's own C release (such as
 * {@code logi -> log}), as Snowball's {@code porter} stemmer implements it: it agrees word for
 * word with {@code stemwords -l porter} on the 63,875 lower-case words of Debian's wamerican list.
 * Two Snowball readings of the paper are kept: words of one or two letters are stemmed too, and
 * step 1b undoubles only bb, dd, ff, gg, mm, nn, pp, rr and tt ("trekked" -> "trekk"), where
 * NLTK's {@code ORIGINAL_ALGORITHM} mode undoubles every double consonant but l, s, z (it
 * differs from Snowball on 12 of those 63,875 words).
 * Input is one lower-case word; other characters pass through unchanged. Thread-safe.
 */
public final class PorterStemmer {
    /** A stemmer; it holds no state, so one instance can serve every thread. */
    public PorterStemmer() {}

    /** The stem of {@code word} (lower-case ASCII letters); every length is stemmed ("as" -> "a"), as Snowball does. */
    public String stem(String word) {
        if (word.isEmpty()) return word;
        return new Word(word).run();
    }

    /** One word being stemmed: the buffer {@code b[0..k]} and the stem end {@code j}. */
    private static final class Word {
        private char[] b;
        private int k, j;

        Word(String w) {
            b = w.toCharArray();
            k = b.length - 1;
        }

        String run() {
            step1a();
            if (k < 0) return "";
            step1b();
            step1c();
            step2();
            step3();
            step4();
            step5();
            return new String(b, 0, k + 1);
        }

        /** Whether b[i] is a consonant: not a vowel, and 'y' only after a vowel or at the start. */
        private boolean cons(int i) {
            return switch (b[i]) {
                case 'a', 'e', 'i', 'o', 'u' -> false;
                case 'y' -> i == 0 || !cons(i - 1);
                default -> true;
            };
        }

        /** The measure m of b[0..j]: the number of VC sequences. */
        private int m() {
            int n = 0, i = 0;
            while (true) {
                if (i > j) return n;
                if (!cons(i)) break;
                i++;
            }
            i++;
            while (true) {
                while (true) {
                    if (i > j) return n;
                    if (cons(i)) break;
                    i++;
                }
                i++;
                n++;
                while (true) {
                    if (i > j) return n;
                    if (!cons(i)) break;
                    i++;
                }
                i++;
            }
        }

        /** *v*: b[0..j] contains a vowel. */
        private boolean vowelInStem() {
            for (int i = 0; i <= j; i++) if (!cons(i)) return true;
            return false;
        }

        /** *d: b[i-1..i] is a double consonant. */
        private boolean doublec(int i) {
            return i >= 1 && b[i] == b[i - 1] && cons(i);
        }

        /** *o: b[i-2..i] is consonant-vowel-consonant, the last not w, x or y. */
        private boolean cvc(int i) {
            if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
            char c = b[i];
            return c != 'w' && c != 'x' && c != 'y';
        }

        /** Whether b[0..k] ends with s; if so j is set to the end of the stem before it. */
        private boolean ends(String s) {
            int l = s.length(), o = k - l + 1;
            if (o < 0) return false;
            for (int i = 0; i < l; i++) if (b[o + i] != s.charAt(i)) return false;
            j = k - l;
            return true;
        }

        /** Replaces b[j+1..k] with s. */
        private void setTo(String s) {
            int l = s.length(), o = j + 1;
            if (o + l > b.length) b = java.util.Arrays.copyOf(b, o + l);
            for (int i = 0; i < l; i++) b[o + i] = s.charAt(i);
            k = j + l;
        }

        private void r(String s) { if (m() > 0) setTo(s); }

        private void step1a() {
            if (b[k] != 's') return;
            if (ends("sses")) k -= 2;
            else if (ends("ies")) setTo("i");
            else if (k == 0 || b[k - 1] != 's') k--;
        }

        private void step1b() {
            if (ends("eed")) {
                if (m() > 0) k--;
            } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
                k = j;
                if (ends("at")) setTo("ate");
                else if (ends("bl")) setTo("ble");
                else if (ends("iz")) setTo("ize");
                else if (doublec(k)) {
                    if ("bdfgmnprt".indexOf(b[k]) >= 0) k--;
                } else {
                    j = k;
                    if (m() == 1 && cvc(k)) setTo("e");
                }
            }
        }

        private void step1c() {
            if (ends("y") && vowelInStem()) b[k] = 'i';
        }

        private void step2() {
            if (k < 1) return;
            switch (b[k - 1]) {
                case 'a' -> { if (ends("ational")) r("ate"); else if (ends("tional")) r("tion"); }
                case 'c' -> { if (ends("enci")) r("ence"); else if (ends("anci")) r("ance"); }
                case 'e' -> { if (ends("izer")) r("ize"); }
                case 'l' -> {
                    if (ends("abli")) r("able");
                    else if (ends("alli")) r("al");
                    else if (ends("entli")) r("ent");
                    else if (ends("eli")) r("e");
                    else if (ends("ousli")) r("ous");
                }
                case 'o' -> { if (ends("ization")) r("ize"); else if (ends("ation")) r("ate"); else if (ends("ator")) r("ate"); }
                case 's' -> {
                    if (ends("alism")) r("al");
                    else if (ends("iveness")) r("ive");
                    else if (ends("fulness")) r("ful");
                    else if (ends("ousness")) r("ous");
                }
                case 't' -> { if (ends("aliti")) r("al"); else if (ends("iviti")) r("ive"); else if (ends("biliti")) r("ble"); }
                default -> { }
            }
        }

        private void step3() {
            switch (b[k]) {
                case 'e' -> { if (ends("icate")) r("ic"); else if (ends("ative")) r(""); else if (ends("alize")) r("al"); }
                case 'i' -> { if (ends("iciti")) r("ic"); }
                case 'l' -> { if (ends("ical")) r("ic"); else if (ends("ful")) r(""); }
                case 's' -> { if (ends("ness")) r(""); }
                default -> { }
            }
        }

        private void step4() {
            if (k < 1) return;
            boolean found = switch (b[k - 1]) {
                case 'a' -> ends("al");
                case 'c' -> ends("ance") || ends("ence");
                case 'e' -> ends("er");
                case 'i' -> ends("ic");
                case 'l' -> ends("able") || ends("ible");
                case 'n' -> ends("ant") || ends("ement") || ends("ment") || ends("ent");
                case 'o' -> (ends("ion") && j >= 0 && (b[j] == 's' || b[j] == 't')) || ends("ou");
                case 's' -> ends("ism");
                case 't' -> ends("ate") || ends("iti");
                case 'u' -> ends("ous");
                case 'v' -> ends("ive");
                case 'z' -> ends("ize");
                default -> false;
            };
            if (found && m() > 1) k = j;
        }

        private void step5() {
            j = k;
            if (b[k] == 'e') {
                int a = m();
                if (a > 1 || (a == 1 && !cvc(k - 1))) k--;
            }
            if (b[k] == 'l' && doublec(k)) {
                j = k;
                if (m() > 1) k--;
            }
        }
    }
}
