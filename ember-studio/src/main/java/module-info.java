/**
 * Ember Studio: a web page (Javalin, served from the jar) to configure, launch, watch, compare, evaluate and
 * explain models. Runs are child processes ({@link dev.ember.studio.runner.RunMain}) that read an arguments
 * file and write the JSON-lines run log and checkpoints, so the studio can restart without losing a run.
 */
module dev.ember.studio {
    requires transitive dev.ember.train;
    requires dev.ember.serve; // the chat tab's model and the OpenAI-compatible server it starts
    requires java.net.http;   // the chat tab asks its server whether it is up
    requires io.javalin;
    requires com.google.gson;
    requires java.management; // the runs sample their heap for the live view
    requires java.desktop; // ImageIO: example images and attribution maps as PNG

    exports dev.ember.studio;
    exports dev.ember.studio.chat;
    exports dev.ember.studio.insight;
    exports dev.ember.studio.runner;
    exports dev.ember.studio.runs;

    uses dev.ember.studio.chat.ChatModelProvider;
    provides dev.ember.studio.chat.ChatModelProvider with dev.ember.studio.chat.EmberChatModels;

    // gson writes the API's records by reflection
    opens dev.ember.studio to com.google.gson;
    opens dev.ember.studio.chat to com.google.gson;
    opens dev.ember.studio.insight to com.google.gson;
    opens dev.ember.studio.runs to com.google.gson;
    opens dev.ember.studio.web to com.google.gson;
    // the page and its scripts are read as resources by the web server
    opens dev.ember.studio.web.assets;
    opens dev.ember.studio.data;
}
