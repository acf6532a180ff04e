package dev.ember.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs every test of the given classes (parameterized ones included) in this JVM through the JUnit
 * Platform and exits non-zero if any fails, aborts or is skipped: the child process of
 * {@code EmulatedCudaTest} and of the memory-limit tests, where a skip would mean the device did not start.
 * Prints one line per test and {@code passed N of M} at the end.
 */
public final class TestPrograms {
    private TestPrograms() {}

    public static void main(String[] classes) {
        LauncherDiscoveryRequestBuilder builder = LauncherDiscoveryRequestBuilder.request();
        for (String name : classes) builder.selectors(selectClass(name));
        LauncherDiscoveryRequest request = builder.build();
        AtomicInteger run = new AtomicInteger(), passed = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (!id.isTest()) return;
                run.incrementAndGet();
                failures.add(id.getDisplayName() + ": skipped (" + reason + ")");
                System.out.println("SKIP " + name(id) + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        failures.add(name(id) + ": " + result.getThrowable().orElse(null));
                        System.out.println("FAIL " + name(id) + ": " + result.getThrowable().orElse(null));
                    }
                    return;
                }
                run.incrementAndGet();
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed.incrementAndGet();
                    System.out.println("PASS " + name(id));
                } else {
                    Throwable t = result.getThrowable().orElse(null);
                    failures.add(name(id) + ": " + t);
                    System.out.println((result.getStatus() == TestExecutionResult.Status.ABORTED ? "ABORTED " : "FAIL ") + name(id) + ": " + t);
                    if (t != null && result.getStatus() == TestExecutionResult.Status.FAILED) t.printStackTrace(System.out);
                }
            }
        };
        LauncherFactory.create().execute(request, listener);
        System.out.println("passed " + passed.get() + " of " + run.get());
        System.out.flush();
        System.exit(failures.isEmpty() && run.get() > 0 ? 0 : 1);
    }

    private static String name(TestIdentifier id) {
        String legacy = id.getLegacyReportingName();
        return id.getUniqueId().replaceAll(".*\\[class:([^\\]]+)].*", "$1").replaceAll(".*\\.", "") + "." + legacy;
    }
}
