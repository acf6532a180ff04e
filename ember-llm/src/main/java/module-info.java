/**
 * Chat models on top of Ember's language models, in LLaMA-Factory's spirit: chat templates (ChatML built in, Hugging
 * Face {@code chat_template} read for its common simple forms), chat tokenizers and generation ({@code llm.chat});
 * instruction data and the riddles demo set ({@code llm.data}); supervised fine-tuning, LoRA, freeze tuning and DPO
 * ({@code llm.tune}); evaluation ({@code llm.eval}); model folders and merged export ({@code llm.export}).
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
