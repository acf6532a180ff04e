/** Datasets, loaders, splits, file readers, vision and text transforms, feature preprocessing. */
module dev.ember.data {
    requires transitive dev.ember.core;
    requires com.google.gson;
    requires java.desktop;  // ImageIO for image files
    requires java.net.http; // the opt-in dataset download

    exports dev.ember.data;
    exports dev.ember.data.datasets;
    exports dev.ember.data.features;
    exports dev.ember.data.io;
    exports dev.ember.data.split;
    exports dev.ember.data.text;
    exports dev.ember.data.vision;

    // gson reads and writes the saved state of vocabularies, tokenizers and fitted transformers by reflection
    opens dev.ember.data.text to com.google.gson;
    opens dev.ember.data.features to com.google.gson;
}
