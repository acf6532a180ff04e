package dev.ember.backend;

import dev.ember.Device;
import java.util.List;

/**
 * Starts one backend family. {@link Backends} finds providers with {@link java.util.ServiceLoader},
 * so a provider whose native libraries are missing fails in {@link #start()}
 * (reported as the reason the family is absent), never at class loading of Ember.
 */
public interface BackendProvider {

    Device.Kind kind();

    /**
     * Finds the devices of this family and returns one backend per device, in a stable order.
     * Throws (anything) with a message that says why the family is unavailable.
     */
    List<Backend> start() throws Throwable;
}
