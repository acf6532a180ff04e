package dev.ember;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.BinaryOp;
import dev.ember.backend.ReduceOp;
import dev.ember.backend.UnaryOp;
import dev.ember.testing.OpInfo;
import dev.ember.testing.ops.NonOps;
import dev.ember.testing.ops.OpDb;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The op table covers the API: every public method of {@link Tensor} (by reflection, overloads each) and every
 * constant of the op enums ({@link UnaryOp}, {@link BinaryOp}, {@link ReduceOp}) has an entry, or, for a method
 * that is not an op, a line in {@link NonOps} with its reason. A new op without an entry fails here, naming it.
 */
class OpInfoCompletenessTest {

    /** {@code name(Type,Type)} with simple type names ({@code long[]} for varargs). */
    static String signature(Method m) {
        StringJoiner j = new StringJoiner(",", m.getName() + "(", ")");
        for (Class<?> p : m.getParameterTypes()) j.add(p.getSimpleName());
        return j.toString();
    }

    /** The public methods of Tensor (instance and static), bridges and synthetic ones excluded. */
    static Set<String> tensorMethods() {
        Set<String> out = new TreeSet<>();
        for (Method m : Tensor.class.getDeclaredMethods())
            if (Modifier.isPublic(m.getModifiers()) && !m.isBridge() && !m.isSynthetic()) out.add(signature(m));
        return out;
    }

    static Set<String> enumConstants() {
        Set<String> out = new TreeSet<>();
        for (Class<? extends Enum<?>> e : List.<Class<? extends Enum<?>>>of(UnaryOp.class, BinaryOp.class, ReduceOp.class))
            for (Enum<?> c : e.getEnumConstants()) out.add(e.getSimpleName() + "." + c.name());
        return out;
    }

    /** Methods and constants that no entry of {@code table} covers and the allow-list does not excuse. */
    static List<String> missing(List<OpInfo> table) {
        Set<String> covered = new TreeSet<>(NonOps.METHODS.keySet());
        for (OpInfo op : table) {
            covered.addAll(op.methods());
            covered.addAll(op.enums());
        }
        List<String> out = new ArrayList<>();
        for (String m : tensorMethods()) if (!covered.contains(m)) out.add("Tensor." + m);
        for (String c : enumConstants()) if (!covered.contains(c)) out.add(c);
        return out;
    }

    @Test
    void everyTensorMethodAndOpEnumConstantHasAnEntry() {
        List<String> missing = missing(OpDb.all());
        assertTrue(missing.isEmpty(), "no op-table entry (dev.ember.testing.ops) for: " + missing
                + "; add an OpInfo, or, for a method that is not an op, a line with the reason to NonOps");
    }

    @Test
    void entriesNameOnlyMethodsAndConstantsThatExist() {
        Set<String> methods = tensorMethods(), constants = enumConstants();
        List<String> stale = new ArrayList<>();
        for (OpInfo op : OpDb.all()) {
            for (String m : op.methods()) if (!methods.contains(m)) stale.add(op.name() + ": Tensor." + m);
            for (String c : op.enums()) if (!constants.contains(c)) stale.add(op.name() + ": " + c);
        }
        for (String m : NonOps.METHODS.keySet()) if (!methods.contains(m)) stale.add("NonOps: Tensor." + m);
        assertTrue(stale.isEmpty(), "entries name methods or constants that do not exist: " + stale);
    }

    @Test
    void anOpIsNotBothAnEntryAndANonOp() {
        List<String> both = new ArrayList<>();
        for (OpInfo op : OpDb.all()) for (String m : op.methods()) if (NonOps.METHODS.containsKey(m)) both.add(m);
        assertTrue(both.isEmpty(), "methods both in the table and in NonOps: " + both);
        NonOps.METHODS.forEach((m, reason) -> assertFalse(reason.isBlank(), m + " needs a reason"));
    }

    @Test
    void removingAnyEntryFailsTheCheckNamingWhatItCovered() {
        // Each entry covers at least one method no other entry does: without it the check fails and names that method.
        for (OpInfo op : OpDb.all()) {
            List<OpInfo> without = new ArrayList<>(OpDb.all());
            without.remove(op);
            List<String> missing = missing(without);
            assertFalse(missing.isEmpty(), "removing " + op.name() + " must make the completeness check fail");
            boolean named = false;
            for (String m : op.methods()) named |= missing.contains("Tensor." + m);
            assertTrue(named, "removing " + op.name() + " must name one of its methods " + op.methods() + ", got " + missing);
        }
    }
}
