/** Neural-network modules, losses, initialisation, optimizers, learning-rate schedulers and GPT language models. */
module dev.ember.nn {
    requires transitive dev.ember.core;
    requires com.google.gson; // GPT-2 folders: config.json

    exports dev.ember.nn;
    exports dev.ember.nn.functional;
    exports dev.ember.nn.init;
    exports dev.ember.nn.lm;
    exports dev.ember.optim;
}
