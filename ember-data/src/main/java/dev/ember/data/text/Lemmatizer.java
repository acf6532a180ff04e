package dev.ember.data.text;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A rule- and dictionary-based English lemmatizer. Irregular forms come from built-in tables
 * (went -> go, mice -> mouse, better -> good as an adjective); regular inflections from suffix
 * rules: plurals (-s, -es, -ies), verb forms (-s, -ed, -ing, with consonant undoubling and
 * silent-e restoration by Porter's cvc test: hopping -> hop, hoping -> hope), comparatives and
 * superlatives (-er, -est). It has no full lexicon, so rare words the rules misread stay wrong
 * ("using" -> "us"); give a word list with {@link #withLexicon} to let it check its candidates.
 */
public final class Lemmatizer {
    private static final Map<String, String> NOUNS = table(
            "mice mouse men man women woman children child feet foot teeth tooth geese goose people person oxen ox lice louse "
            + "dice die knives knife wives wife lives life leaves leaf wolves wolf halves half calves calf loaves loaf shelves shelf "
            + "thieves thief selves self elves elf criteria criterion phenomena phenomenon analyses analysis crises crisis theses thesis "
            + "hypotheses hypothesis cacti cactus fungi fungus nuclei nucleus radii radius stimuli stimulus alumni alumnus indices index "
            + "matrices matrix vertices vertex appendices appendix bacteria bacterium curricula curriculum potatoes potato "
            + "tomatoes tomato heroes hero echoes echo vetoes veto torpedoes torpedo");
    private static final Set<String> INVARIANT_NOUNS = Set.of("sheep", "fish", "deer", "series", "species", "news", "means",
            "aircraft", "bus", "gas", "lens", "virus", "status", "bonus", "campus", "census", "chaos", "physics", "mathematics");
    private static final Map<String, String> VERBS = table(
            "am be is be are be was be were be been be being be has have had have having have does do did do done do "
            + "goes go went go gone go ate eat eaten eat began begin begun begin broke break broken break brought bring bought buy "
            + "built build came come caught catch chose choose chosen choose drank drink drunk drink drove drive driven drive "
            + "fell fall fallen fall felt feel fought fight found find flew fly flown fly forgot forget forgotten forget gave give "
            + "given give got get gotten get grew grow grown grow heard hear held hold kept keep knew know known know left leave "
            + "lost lose made make meant mean met meet paid pay ran run said say saw see seen see sold sell sent send sat sit "
            + "slept sleep spoke speak spoken speak spent spend stood stand swam swim swum swim took take taken take taught teach "
            + "told tell thought think threw throw thrown throw understood understand woke wake woken wake wore wear worn wear "
            + "won win wrote write written write rode ride ridden ride rose rise risen rise sang sing sung sing led lead "
            + "hid hide hidden hide bit bite bitten bite became become blew blow blown blow drew draw drawn draw froze freeze "
            + "frozen freeze shook shake shaken shake stole steal stolen steal struck strike fed feed fled flee bled bleed dug dig "
            + "hung hang sought seek shot shoot slid slide stuck stick stung sting swung swing spun spin sank sink sunk sink "
            + "sprang spring sprung spring tore tear torn tear wept weep lay lie lain lie dying die lying lie tying tie "
            + "could can would will should shall might may");
    private static final Map<String, String> ADJECTIVES = table(
            "better good best good worse bad worst bad more many most many less little least little further far furthest far "
            + "farther far farthest far elder old eldest old");
    private static final Map<String, String> ADVERBS = table("better well best well worse badly worst badly more much most much less little least little");

    private final Set<String> lexicon;

    /** A lemmatizer with rules and built-in irregular forms only. */
    public Lemmatizer() { this(null); }

    private Lemmatizer(Set<String> lexicon) { this.lexicon = lexicon; }

    /**
     * A lemmatizer that prefers candidates found in {@code words} (lower-case), e.g. the lines of
     * /usr/share/dict/american-english; the rules' own guess is kept when no candidate is listed.
     */
    public static Lemmatizer withLexicon(Set<String> words) { return new Lemmatizer(Set.copyOf(words)); }

    private static Map<String, String> table(String pairs) {
        String[] t = pairs.trim().split("\\s+");
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < t.length; i += 2) m.put(t[i], t[i + 1]);
        return Map.copyOf(m);
    }

    /** The lemma of {@code word} (any case; the result is lower-case) as part of speech {@code pos}. */
    public String lemmatize(String word, PartOfSpeech pos) {
        String w = word.toLowerCase(Locale.ROOT);
        return switch (pos) {
            case NOUN -> NOUNS.getOrDefault(w, noun(w));
            case VERB -> VERBS.getOrDefault(w, verb(w));
            case ADJECTIVE -> ADJECTIVES.getOrDefault(w, comparative(w));
            case ADVERB -> ADVERBS.getOrDefault(w, w);
        };
    }

    private String noun(String w) {
        if (INVARIANT_NOUNS.contains(w) || w.length() <= 3) return w;
        if (w.endsWith("ies")) return pick(w.substring(0, w.length() - 3) + "y", w);
        if (w.endsWith("sses") || w.endsWith("shes") || w.endsWith("ches") || w.endsWith("xes") || w.endsWith("zzes"))
            return pick(w.substring(0, w.length() - 2), w.substring(0, w.length() - 1));
        if (w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) return w;
        if (w.endsWith("s")) return pick(w.substring(0, w.length() - 1), w);
        return w;
    }

    private String verb(String w) {
        if (w.length() <= 3) return w;
        if (w.endsWith("ies")) return pick(w.substring(0, w.length() - 3) + "y", w);
        if (w.endsWith("sses") || w.endsWith("shes") || w.endsWith("ches") || w.endsWith("xes") || w.endsWith("zes"))
            return pick(w.substring(0, w.length() - 2), w.substring(0, w.length() - 1));
        if (w.endsWith("ied")) return pick(w.substring(0, w.length() - 3) + "y", w);
        if (w.endsWith("eed") && w.length() <= 5) return w; // need, feed, seed: not past tenses
        if (w.endsWith("ed")) return stripped(w.substring(0, w.length() - 2), w);
        if (w.endsWith("ing") && w.length() >= 5) return stripped(w.substring(0, w.length() - 3), w);
        if (w.endsWith("ss") || w.endsWith("us") || w.endsWith("is")) return w;
        if (w.endsWith("s")) return pick(w.substring(0, w.length() - 1), w);
        return w;
    }

    private String comparative(String w) {
        if (w.endsWith("est") && w.length() >= 6) return stripped(w.substring(0, w.length() - 3), w);
        if (w.endsWith("er") && w.length() >= 5) return stripped(w.substring(0, w.length() - 2), w);
        return w;
    }

    /** The base after a removed suffix: i -> y, undoubling, silent-e restoration. */
    private String stripped(String stem, String original) {
        if (!hasVowel(stem)) return original;
        if (stem.endsWith("i") && stem.length() >= 2 && isConsonant(stem, stem.length() - 2)) return pick(stem.substring(0, stem.length() - 1) + "y", stem);
        int n = stem.length();
        if (n >= 3 && stem.charAt(n - 1) == stem.charAt(n - 2) && "lsz".indexOf(stem.charAt(n - 1)) < 0 && isConsonant(stem, n - 1)
                && !isConsonant(stem, n - 3) && n >= 4 && isConsonant(stem, n - 4))
            return pick(stem.substring(0, n - 1), stem);
        if (stem.endsWith("v") || (measure(stem) == 1 && cvc(stem))) return pick(stem + "e", stem);
        return pick(stem, stem + "e");
    }

    /** The preferred candidate unless only the alternative is in the lexicon. */
    private String pick(String preferred, String alternative) {
        if (lexicon == null || lexicon.contains(preferred) || !lexicon.contains(alternative)) return preferred;
        return alternative;
    }

    private static boolean hasVowel(String s) {
        for (int i = 0; i < s.length(); i++) if (!isConsonant(s, i)) return true;
        return false;
    }

    private static boolean isConsonant(String s, int i) {
        char c = s.charAt(i);
        if ("aeiou".indexOf(c) >= 0) return false;
        return c != 'y' || i == 0 || !isConsonant(s, i - 1);
    }

    private static int measure(String s) {
        int m = 0;
        boolean prevVowel = false;
        for (int i = 0; i < s.length(); i++) {
            boolean consonant = isConsonant(s, i);
            if (consonant && prevVowel) m++;
            prevVowel = !consonant;
        }
        return m;
    }

    private static boolean cvc(String s) {
        int n = s.length();
        if (n < 3 || !isConsonant(s, n - 1) || isConsonant(s, n - 2) || !isConsonant(s, n - 3)) return false;
        return "wxy".indexOf(s.charAt(n - 1)) < 0;
    }
}
