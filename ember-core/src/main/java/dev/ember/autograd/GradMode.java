package dev.ember.autograd;

/**
 * Whether ops record the autograd graph on this thread. Scopes nest: closing
 * one restores the mode that was in force when it opened.
 */
public final class GradMode {
    private GradMode() {}

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[]{true});

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** A try-with-resources scope that sets grad mode and restores the previous mode on close. */
    public static Scope set(boolean enabled) {
        boolean[] cell = ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return new Scope(cell, previous);
    }

    /** Restores the previous grad mode when closed; closing twice is harmless. */
    public static final class Scope implements AutoCloseable {
        private final boolean[] cell;
        private final boolean previous;
        private boolean closed;

        private Scope(boolean[] cell, boolean previous) {
            this.cell = cell;
            this.previous = previous;
        }

        @Override
        public void close() {
            if (!closed) {
                cell[0] = previous;
                closed = true;
            }
        }
    }
}
