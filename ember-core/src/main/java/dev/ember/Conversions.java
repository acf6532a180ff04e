package dev.ember;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;

/** Moving tensors between devices and dtypes, and copies. */
final class Conversions {
    private Conversions() {}

    static Tensor toDevice(Tensor x, Device device) {
        if (x.device().equals(device)) return x;
        Backend target = Backends.of(device);
        Object host = Creation.toHost(x, x.dtype());
        Tensor out = new Tensor(target.fromHost(x.dtype(), host), x.shape.clone(), Shapes.contiguousStrides(x.shape), 0);
        Device from = x.device();
        return Tensor.record("to", out, (g, needs) -> new Tensor[]{g.to(from)}, x);
    }

    static Tensor toDType(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor out = toDTypeRaw(x, dtype);
        if (!dtype.isFloatingPoint()) return out;
        DType from = x.dtype();
        return Tensor.record("to", out, (g, needs) -> new Tensor[]{g.to(from)}, x);
    }

    static Tensor toDTypeRaw(Tensor x, DType dtype) {
        Tensor out = Tensor.uninitialized(x.backend(), dtype, x.shape);
        x.backend().copy(x.strided(), out.strided());
        return out;
    }

    static Tensor copy(Tensor x, String name) {
        Tensor out = Tensor.uninitialized(x.backend(), x.dtype(), x.shape);
        x.backend().copy(x.strided(), out.strided());
        return Tensor.record(name, out, (g, needs) -> new Tensor[]{g}, x);
    }
}
