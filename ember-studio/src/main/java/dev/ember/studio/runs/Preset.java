package dev.ember.studio.runs;

import java.util.List;

/**
 * A kind of model the train tab can launch.
 *
 * @param id        the key in the arguments file ({@code "preset": "cnn"})
 * @param kind      {@code network} (trained by the Trainer), {@code classical} (a scikit-learn-style estimator)
 *                  or {@code language} (GPT and chat fine-tuning)
 * @param title     the name shown
 * @param available whether this build can run it
 * @param reason    why not, when it cannot
 * @param datasets  the dataset kinds it takes
 * @param params    its hyperparameters, with defaults and help
 */
public record Preset(String id, String kind, String title, boolean available, String reason, List<String> datasets, List<Param> params) {}
