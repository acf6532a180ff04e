/** Neural-network modules, losses, initialisation, optimizers and learning-rate schedulers. */
module dev.ember.nn {
    requires transitive dev.ember.core;

    exports dev.ember.nn;
    exports dev.ember.nn.functional;
    exports dev.ember.nn.init;
    exports dev.ember.optim;
}
