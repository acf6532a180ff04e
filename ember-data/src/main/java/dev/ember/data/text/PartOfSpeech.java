package dev.ember.data.text;

/** Word classes the {@link Lemmatizer} distinguishes ("better" is "good" as an adjective, "well" as an adverb). */
public enum PartOfSpeech {
    /** Nouns: plural -> singular. */
    NOUN,
    /** Verbs: inflected -> infinitive. */
    VERB,
    /** Adjectives: comparative and superlative -> positive. */
    ADJECTIVE,
    /** Adverbs: comparative and superlative -> positive. */
    ADVERB
}
