/** Metrics, classical machine learning, linear algebra, model selection and reinforcement learning. */
module dev.ember.ml {
    requires transitive dev.ember.core;
    requires transitive dev.ember.data;
    requires com.google.gson;

    exports dev.ember.linalg;
    exports dev.ember.metrics;
    exports dev.ember.ml;
    exports dev.ember.ml.selection;
    exports dev.ember.rl;

    opens dev.ember.ml to com.google.gson; // model files: estimators saved by reflection
}
