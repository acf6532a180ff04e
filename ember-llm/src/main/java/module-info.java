/**
 * Chat models on top of Ember's language models: chat templates (ChatML built in, Hugging Face {@code chat_template}
 * read for its common simple forms) and the tokenizer of a chat model with its special tokens.
 */
module dev.ember.llm {
    requires transitive dev.ember.nn;
    requires transitive dev.ember.data;
    requires transitive dev.ember.ml;
    requires transitive dev.ember.train;
    requires com.google.gson;

    exports dev.ember.llm.chat;
    exports dev.ember.llm.data;
    exports dev.ember.llm.eval;
    exports dev.ember.llm.export;
    exports dev.ember.llm.tune;
}
