package dev.ember.backend;

import dev.ember.Device;
import java.util.List;

/**
 * Starts one backend family. {@link Backends} finds providers with {@link java.util.ServiceLoader},
 * so a provider whose native libraries are missing fails in {@link #start()}
 * (reported as the reason the family is absent), never at class loading of Ember.
 */
public interface BackendProvider {

    /** The device type this provider serves, a lower-case name ({@code "cuda"}); {@link Device#type()} of its devices. */
    String type();

    /** How messages name the backend ({@code "CUDA"}); the type by default. */
    default String displayName() { return type(); }

    /**
     * Rank among backends when {@link Device#best()} picks a device: the most preferred backend's first GPU
     * wins. CUDA is 20, OpenCL 10.
     */
    default int preference() { return 0; }

    /**
     * Finds the devices of this family and returns one backend per device, in a stable order.
     * Throws (anything) with a message that says why the family is unavailable.
     */
    List<Backend> start() throws Throwable;
}
