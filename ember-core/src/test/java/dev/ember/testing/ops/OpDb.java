package dev.ember.testing.ops;

import dev.ember.testing.OpInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The op table: every entry, by family (PyTorch's {@code op_db}). Adding an op is adding its entry to the
 * family's file; the completeness test names any public {@code Tensor} method or op-enum constant that no
 * entry covers.
 */
public final class OpDb {
    private OpDb() {}

    private static final List<OpInfo> ALL = build();

    /** Every entry, in a stable order. */
    public static List<OpInfo> all() { return ALL; }

    /** The entry named {@code name}. */
    public static OpInfo get(String name) {
        for (OpInfo o : ALL) if (o.name().equals(name)) return o;
        throw new IllegalArgumentException("OpDb: no entry named " + name);
    }

    private static List<OpInfo> build() {
        List<OpInfo> t = new ArrayList<>();
        t.addAll(UnaryOpInfos.all());
        t.addAll(BinaryOpInfos.all());
        t.addAll(ReductionOpInfos.all());
        t.addAll(LinalgOpInfos.all());
        t.addAll(ShapeOpInfos.all());
        t.addAll(IndexingOpInfos.all());
        t.addAll(ConvolutionOpInfos.all());
        t.addAll(ConversionOpInfos.all());
        t.addAll(InPlaceOpInfos.all());
        t.addAll(CreationOpInfos.all());
        Set<String> names = new HashSet<>();
        for (OpInfo o : t) if (!names.add(o.name())) throw new IllegalStateException("OpDb: two entries named " + o.name());
        return Collections.unmodifiableList(t);
    }
}
