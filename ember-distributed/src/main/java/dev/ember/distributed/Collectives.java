package dev.ember.distributed;

import dev.ember.DType;
import dev.ember.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collectives built from a {@link ProcessGroup}'s primitives, for the training loop. */
public final class Collectives {
    private Collectives() {}

    /**
     * Every rank's rows, in rank order: {@code [n_r, ...] -> [sum of n_r, ...]} on every rank.
     * The ranks may hold different numbers of rows (uneven evaluation shards); the trailing shape
     * and dtype must agree. Collective.
     */
    public static Tensor gatherRows(ProcessGroup group, Tensor local) {
        if (local.dim() == 0) throw new IllegalArgumentException("gatherRows: a 0-d tensor has no rows");
        if (group.worldSize() == 1) return local;
        List<Tensor> counts = group.allGather(Tensor.of(new long[]{local.size(0)}));
        long max = 0;
        long[] rows = new long[counts.size()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = counts.get(r).toLongArray()[0];
            max = Math.max(max, rows[r]);
        }
        Tensor padded = local;
        if (local.size(0) < max) {
            long[] padShape = local.shape();
            padShape[0] = max - local.size(0);
            padded = Tensor.cat(List.of(local, Tensor.zeros(local.dtype(), padShape).to(local.device())), 0);
        }
        List<Tensor> parts = group.allGather(padded);
        List<Tensor> trimmed = new ArrayList<>();
        for (int r = 0; r < parts.size(); r++) if (rows[r] > 0) trimmed.add(parts.get(r).narrow(0, 0, rows[r]));
        return Tensor.cat(trimmed, 0);
    }

    /**
     * Rank 0's copy of {@code file}, on every rank: rank 0 reads it and broadcasts the bytes; the
     * other ranks get a temporary copy (deleted when the JVM exits), so resuming needs no shared
     * file system. Rank 0's path is returned unchanged. Collective.
     *
     * @throws UncheckedIOException on every rank when rank 0 cannot read the file
     */
    public static Path fileFromRankZero(ProcessGroup group, Path file) {
        if (group.worldSize() == 1) return file;
        byte[] bytes = null;
        String error = null;
        if (group.rank() == 0) {
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                error = e.toString();
            }
        }
        Tensor length = Tensor.of(new long[]{bytes == null ? -1 : bytes.length});
        group.broadcast(length, 0);
        long n = length.toLongArray()[0];
        if (n < 0) throw new UncheckedIOException(new IOException("cannot read " + file + " on rank 0"
                + (error == null ? " (see rank 0's error)" : ": " + error)));
        int words = (int) ((n + 3) / 4);
        Tensor data = group.rank() == 0 ? Tensor.of(toInts(bytes, words)) : Tensor.zeros(DType.INT32, words);
        group.broadcast(data, 0);
        if (group.rank() == 0) return file;
        try {
            Path copy = Files.createTempFile("ember-rank" + group.rank() + "-", "-" + file.getFileName());
            copy.toFile().deleteOnExit();
            ByteBuffer buf = ByteBuffer.allocate(words * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asIntBuffer().put(data.toIntArray());
            Files.write(copy, java.util.Arrays.copyOf(buf.array(), (int) n));
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write rank 0's " + file + " on rank " + group.rank(), e);
        }
    }

    private static int[] toInts(byte[] b, int words) {
        ByteBuffer buf = ByteBuffer.allocate(words * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(b);
        buf.flip();
        int[] out = new int[words];
        buf.asIntBuffer().get(out);
        return out;
    }
}
