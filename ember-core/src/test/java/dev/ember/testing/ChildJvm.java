package dev.ember.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a fresh JVM with this JVM's class path, for tests of what is fixed at
 * start-up (system properties read once, native libraries, the loader's environment).
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** Exit code and combined stdout/stderr of a finished child. */
    public record Result(int exitCode, String output) {}

    /**
     * Runs {@code main} with Ember's JVM flags plus {@code jvmArgs}, the environment changed by {@code env}
     * (a null value removes the variable), and waits up to {@code minutes}.
     */
    public static Result run(List<String> jvmArgs, Map<String, String> env, int minutes, String main, String... args) throws Exception {
        List<String> flags = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx512m"));
        flags.addAll(jvmArgs);
        return start(flags, env, minutes, classPath(), main, args);
    }

    /**
     * Runs {@code main} with exactly {@code jvmArgs}, none of Ember's flags (a child without the Vector API module,
     * or one that only interprets), on this JVM's class path plus {@code main}'s own code source.
     */
    public static Result runPlain(List<String> jvmArgs, Map<String, String> env, int minutes, Class<?> main, String... args)
            throws Exception {
        return start(jvmArgs, env, minutes, classPath(main), main.getName(), args);
    }

    private static Result start(List<String> flags, Map<String, String> env, int minutes, String classPath, String main,
                                String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", classPath, main));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        env.forEach((k, v) -> {
            if (v == null) pb.environment().remove(k);
            else pb.environment().put(k, v);
        });
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish in " + minutes + " minutes:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /**
     * This JVM's class path plus where the classes a child needs were loaded from (a launcher such as
     * JUnit's console loads tests through its own class loader, outside {@code java.class.path}), and where each of
     * {@code mains} (the child's own classes, when they are not ember-core's) was loaded from.
     */
    public static String classPath(Class<?>... mains) throws Exception {
        var parts = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        for (Class<?> c : mains) addSource(parts, c);
        // by name: a module's tests see only the backends it depends on
        for (String name : List.of("dev.ember.testing.ChildJvm", "dev.ember.Tensor", "jcuda.driver.JCudaDriver", "org.lwjgl.Version",
                "dev.ember.backend.gpu.GpuBackend", "dev.ember.backend.cuda.CudaProvider", "dev.ember.backend.opencl.OpenClProvider",
                "org.junit.jupiter.api.Test", "org.opentest4j.AssertionFailedError", "org.junit.platform.launcher.core.LauncherFactory",
                "org.junit.platform.engine.TestEngine", "org.junit.jupiter.engine.JupiterTestEngine",
                "org.junit.jupiter.params.ParameterizedTest", "org.junit.platform.commons.util.ReflectionUtils")) {
            Class<?> c;
            try {
                c = Class.forName(name, false, ChildJvm.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                continue;
            }
            addSource(parts, c);
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    /** Adds the jar or folder {@code c} was loaded from, if it has one. */
    private static void addSource(java.util.Set<String> parts, Class<?> c) throws Exception {
        var source = c.getProtectionDomain().getCodeSource();
        if (source != null) parts.add(Path.of(source.getLocation().toURI()).toString());
    }
}
