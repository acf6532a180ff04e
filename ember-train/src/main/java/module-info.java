/** The training loop: Trainer, callbacks, run logs and curves, and the Fashion-MNIST runs. */
module dev.ember.train {
    requires transitive dev.ember.nn;
    requires transitive dev.ember.data;
    requires transitive dev.ember.ml;
    requires transitive dev.ember.distributed;
    requires com.google.gson;

    exports dev.ember.train;
}
