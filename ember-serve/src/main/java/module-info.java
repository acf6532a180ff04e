/**
 * An OpenAI-compatible HTTP server for Ember's language models ({@code ./ember serve}): {@code /v1/models},
 * {@code /v1/completions} and {@code /v1/chat/completions}, streamed as server-sent events or answered whole, one
 * generation at a time from a bounded queue.
 */
module dev.ember.serve {
    requires transitive dev.ember.llm;
    requires io.javalin;
    requires com.google.gson;

    exports dev.ember.serve;
}
