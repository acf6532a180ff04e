package dev.ember.data.features;

/** How {@link SelectKBest} scores a feature against class labels. */
public enum FeatureScore {
    /**
     * Chi-squared statistic of non-negative features (counts, frequencies) against the class,
     * as scikit-learn's {@code chi2}; with p-values.
     */
    CHI2,
    /** One-way ANOVA F statistic, as scikit-learn's {@code f_classif}; with p-values. */
    F_CLASSIF,
    /**
     * Mutual information between a continuous feature and the class, estimated with k = 3 nearest
     * neighbours as scikit-learn's {@code mutual_info_classif} (Ross 2014). scikit-learn adds
     * random noise of relative size 1e-10 to break ties; Ember does not, so on data without ties
     * the two agree to about 1e-6, and with ties they may differ more. No p-values.
     */
    MUTUAL_INFO
}
