package dev.ember.backend.cuda;

import dev.ember.backend.PrivateNatives;
import jcuda.JCudaVersion;
import jcuda.LibUtils;

/**
 * Loads JCuda's native libraries from {@link PrivateNatives}' directory instead of the shared
 * temporary directory.
 *
 * <p>A JCuda class loads its library in its static initialiser ({@code jcuda.LibUtils}): first from
 * {@code java.library.path}, else by unpacking the jar's {@code /lib/lib<name>.so} to
 * {@code java.io.tmpdir} under a fixed name, and a file already there is loaded as it is. So the
 * library is unpacked (and its SHA-256 checked) into the private directory first, and the class is
 * initialised while {@code java.io.tmpdir} names that directory, where JCuda then finds it. The
 * property is restored at once; the JDK's own temporary files read it only at start-up.
 */
final class JCudaNatives {
    private JCudaNatives() {}

    /**
     * Runs {@code initialise}, which must trigger the static initialiser of the JCuda class whose
     * native library is {@code baseName} ({@code "JCudaDriver"}, {@code "JCublas2"}), with that library
     * unpacked into the private directory. Whatever {@code initialise} throws is passed on.
     */
    static synchronized void load(String baseName, Runnable initialise) {
        String file = LibUtils.createLibraryFileName(LibUtils.createPlatformLibraryName(baseName + "-" + JCudaVersion.get()));
        var dir = PrivateNatives.directory();
        PrivateNatives.extract(LibUtils.class, "/lib/" + file, file); // null on a platform without it: JCuda then fails as before
        String tmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", dir.toString());
        try {
            initialise.run();
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }
    }
}
