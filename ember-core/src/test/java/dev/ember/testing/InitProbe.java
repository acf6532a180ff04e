package dev.ember.testing;

/**
 * A class whose initialisation is visible from outside it (a system property), for tests that
 * prove a reader does not load or initialise classes named by a file.
 */
public final class InitProbe {
    /** The property set when this class is initialised. */
    public static final String PROPERTY = "ember.test.initProbe";

    static {
        System.setProperty(PROPERTY, "initialized");
    }

    private InitProbe() {}
}
