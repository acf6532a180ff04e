package dev.ember;

import java.util.Optional;
import java.util.Set;

/**
 * The error for an op on a closed tensor: {@code add: tensor [3, 4] on opencl:0 was closed}.
 *
 * <p>The check itself ({@link Tensor#liveStorage()}) sits where operands are handed to a backend,
 * which knows nothing of the op; passing the op's name down every kernel call would cost each op an
 * argument for an error that should never happen. So the name is found only when the check fails:
 * it is the outermost call on the stack into the tensor layer's public entry points
 * ({@link Tensor}'s methods, {@link Fused}'s optimizer steps), i.e. the op the caller asked for.
 */
final class ClosedTensors {
    private ClosedTensors() {}

    private static final Set<String> ENTRY_CLASSES = Set.of(Tensor.class.getName(), Fused.class.getName());
    /** Tensor's package-private plumbing, never an op's name. */
    private static final Set<String> PLUMBING = Set.of("liveStorage", "strided", "backend", "empty", "attach", "record",
            "recordSaving", "shapeInternal", "shapeLong");

    static IllegalStateException error(Tensor t) {
        return new IllegalStateException(opName() + ": tensor " + Shapes.str(t.shape) + " on " + t.device() + " was closed");
    }

    /** The op the caller invoked, from the stack. */
    private static String opName() {
        Optional<String> outermost = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> ENTRY_CLASSES.contains(f.getClassName()) && !PLUMBING.contains(f.getMethodName())
                        && !f.getMethodName().startsWith("lambda$"))
                .map(StackWalker.StackFrame::getMethodName)
                .reduce((inner, outer) -> outer));
        return outermost.orElse("tensor op");
    }
}
