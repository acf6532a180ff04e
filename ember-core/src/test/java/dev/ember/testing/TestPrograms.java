package dev.ember.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@code @Test} methods of the given classes (with their {@code @BeforeEach}) in this JVM
 * and exits non-zero if any fails or is skipped: the child process of {@link EmulatedCudaTest}, where
 * a skip would mean the emulated device did not start.
 */
public final class TestPrograms {
    private TestPrograms() {}

    public static void main(String[] classes) throws Exception {
        int run = 0, passed = 0;
        List<String> failures = new ArrayList<>();
        for (String name : classes) {
            Class<?> c = Class.forName(name);
            List<Method> tests = new ArrayList<>(), before = new ArrayList<>();
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Test.class)) tests.add(m);
                if (m.isAnnotationPresent(BeforeEach.class)) before.add(m);
            }
            tests.sort(Comparator.comparing(Method::getName));
            for (Method t : tests) {
                run++;
                try {
                    var ctor = c.getDeclaredConstructor();
                    ctor.setAccessible(true);
                    Object instance = ctor.newInstance();
                    for (Method b : before) { b.setAccessible(true); b.invoke(instance); }
                    t.setAccessible(true);
                    t.invoke(instance);
                    passed++;
                    System.out.println("PASS " + c.getSimpleName() + "." + t.getName());
                } catch (InvocationTargetException e) {
                    failures.add(c.getSimpleName() + "." + t.getName() + ": " + e.getCause());
                    System.out.println("FAIL " + c.getSimpleName() + "." + t.getName() + ": " + e.getCause());
                }
            }
        }
        System.out.println("passed " + passed + " of " + run);
        System.exit(failures.isEmpty() && run > 0 ? 0 : 1);
    }
}
