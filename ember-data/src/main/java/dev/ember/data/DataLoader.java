package dev.ember.data;

import dev.ember.Ember;
import dev.ember.Generator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Iterates a dataset in batches, as {@code torch.utils.data.DataLoader}: batch size,
 * seeded shuffling (a new order each epoch, reproducible from the seed), drop-last, a custom
 * {@link Collate}, and background workers that prefetch batches.
 *
 * <p>With {@code numWorkers(n > 0)} batches are loaded on {@code n} daemon threads, up to
 * {@code n * prefetch} batches ahead of the consumer; they are handed out in the same order as
 * with no workers, so results never depend on the worker count. An exception in a worker is
 * rethrown in the consuming thread as a {@link DataLoaderException} whose cause is the original.
 * A map-style dataset's examples are stacked along a new first dim unless a collate is given; a
 * {@link BatchedDataset} assembles batches itself. An {@link IterableDataset} is read in order
 * (one background reader thread when {@code numWorkers > 0}); it cannot be shuffled.
 */
public final class DataLoader implements Iterable<Batch> {
    private static final AtomicInteger LOADER_IDS = new AtomicInteger();

    private final Dataset<Example> dataset;
    private final IterableDataset<Example> stream;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Generator generator;
    private final Collate collate;
    private final int numWorkers;
    private final int prefetch;
    private final Sampler sampler;
    private final int loaderId = LOADER_IDS.incrementAndGet();
    private int epoch = -1;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.stream = b.stream;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.generator = new Generator(b.seed);
        this.collate = b.collate;
        this.numWorkers = b.numWorkers;
        this.prefetch = b.prefetch;
        this.sampler = b.sampler;
        if (sampler != null && (shuffle || stream != null))
            throw new IllegalArgumentException("DataLoader: a sampler chooses the order itself; it excludes shuffle and an IterableDataset");
        if (stream != null && shuffle)
            throw new IllegalArgumentException("DataLoader: an IterableDataset is read in order and cannot be shuffled");
    }

    /** A builder over a map-style dataset. */
    public static Builder builder(Dataset<Example> dataset) { return new Builder(dataset, null); }

    /** A builder over a stream-style dataset. */
    public static Builder builder(IterableDataset<Example> dataset) { return new Builder(null, dataset); }

    /** The map-style dataset, or {@code null} for a loader over an {@link IterableDataset}. */
    public Dataset<Example> dataset() { return dataset; }

    /** Examples per batch (the last batch may be smaller unless drop-last). */
    public int batchSize() { return batchSize; }

    /** Number of background worker threads (0: batches load on the consuming thread). */
    public int numWorkers() { return numWorkers; }

    /**
     * Number of batches per epoch.
     *
     * @throws IllegalStateException for an {@link IterableDataset} whose size is unknown
     */
    public int size() {
        int n = sampler != null ? sampler.size() : dataset != null ? dataset.size() : stream.sizeHint();
        if (n < 0) throw new IllegalStateException("DataLoader.size: the IterableDataset does not know its size (sizeHint() = -1)");
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The shuffle generator's state, so a resumed run continues the same order. */
    public Generator generator() { return generator; }

    /** The epoch of the latest {@link #iterator()} call, counted from 0 ({@code -1} before the first). */
    public int epoch() { return epoch; }

    /** Makes the next {@link #iterator()} epoch {@code next} (a resumed run continues its epoch count). */
    public void setNextEpoch(int next) {
        if (next < 0) throw new IllegalArgumentException("DataLoader.setNextEpoch: epoch must be >= 0, got " + next);
        this.epoch = next - 1;
    }

    /** The sampler given to the builder, or null. */
    public Sampler sampler() { return sampler; }

    @Override
    public Iterator<Batch> iterator() {
        epoch++;
        if (stream != null) {
            if (stream instanceof EpochAware ea) ea.setEpoch(epoch);
            Iterator<Batch> batches = new StreamBatches(stream.iterator());
            return numWorkers == 0 ? batches : new StreamPrefetcher(batches, numWorkers * prefetch);
        }
        if (dataset instanceof EpochAware ea) ea.setEpoch(epoch);
        int[] order;
        if (sampler != null) {
            order = sampler.indices(epoch);
        } else if (shuffle) {
            order = generator.permutation(dataset.size());
        } else {
            order = new int[dataset.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
        }
        int n = order.length;
        int batches = size();
        if (numWorkers == 0) {
            return new Iterator<>() {
                int next = 0;

                @Override
                public boolean hasNext() { return next < batches; }

                @Override
                public Batch next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    int from = next * batchSize, to = Math.min(n, from + batchSize);
                    next++;
                    try (var ignored = Ember.noGrad()) { // loading never records autograd history
                        return load(Arrays.copyOfRange(order, from, to));
                    }
                }
            };
        }
        Iterator<BatchTask> tasks = new Iterator<>() {
            int next = 0;

            @Override
            public boolean hasNext() { return next < batches; }

            @Override
            public BatchTask next() {
                int from = next * batchSize, to = Math.min(n, from + batchSize);
                int[] indices = Arrays.copyOfRange(order, from, to);
                return new BatchTask(next++, "examples " + describe(indices), () -> load(indices));
            }
        };
        return new ParallelBatches(tasks, numWorkers, prefetch);
    }

    private Batch load(int[] indices) {
        if (collate == null && dataset instanceof BatchedDataset bd) return bd.getBatch(indices);
        List<Example> examples = new ArrayList<>(indices.length);
        for (int i : indices) examples.add(dataset.get(i));
        return (collate == null ? Collate.stack() : collate).collate(examples);
    }

    private static String describe(int[] indices) {
        if (indices.length <= 8) return Arrays.toString(indices);
        return Arrays.toString(Arrays.copyOf(indices, 8)).replace("]", ", ...]");
    }

    /** Groups a stream of examples into batches on the calling thread. */
    private final class StreamBatches implements Iterator<Batch> {
        private final Iterator<Example> source;

        StreamBatches(Iterator<Example> source) { this.source = source; }

        @Override
        public synchronized boolean hasNext() { return source.hasNext(); }

        @Override
        public synchronized Batch next() {
            List<Example> examples = new ArrayList<>(batchSize);
            while (examples.size() < batchSize && source.hasNext()) examples.add(source.next());
            if (examples.isEmpty()) throw new NoSuchElementException();
            return (collate == null ? Collate.stack() : collate).collate(examples);
        }
    }

    private record BatchTask(int index, String what, java.util.function.Supplier<Batch> work) {}

    /**
     * Runs batch tasks on a small pool, keeping a window of futures in submission order so the
     * consumer sees batches in order whatever the thread timing.
     */
    private final class ParallelBatches implements Iterator<Batch> {
        private final Iterator<BatchTask> tasks;
        private final ThreadPoolExecutor pool;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private final ArrayDeque<BatchTask> inFlightTasks = new ArrayDeque<>();
        private final int window;
        private boolean failed;

        ParallelBatches(Iterator<BatchTask> tasks, int threads, int prefetch) {
            this.tasks = tasks;
            this.window = threads * prefetch;
            AtomicInteger threadIds = new AtomicInteger();
            this.pool = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "ember-loader-" + loaderId + "-worker-" + threadIds.getAndIncrement());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true); // an abandoned iterator leaves no threads behind
            fill();
        }

        private void fill() {
            while (inFlight.size() < window && tasks.hasNext()) submit(tasks.next());
        }

        private void submit(BatchTask task) {
            inFlightTasks.add(task);
            inFlight.add(pool.submit(() -> {
                try (var ignored = Ember.noGrad()) {
                    return task.work().get();
                }
            }));
        }

        @Override
        public boolean hasNext() {
            boolean more = !failed && (!inFlight.isEmpty() || tasks.hasNext());
            if (!more) pool.shutdown();
            return more;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Future<Batch> head = inFlight.poll();
            BatchTask task = inFlightTasks.poll();
            try {
                Batch batch = head.get();
                fill();
                return batch;
            } catch (ExecutionException e) {
                failed = true; // the epoch ends here; a new iterator starts a fresh one
                pool.shutdownNow();
                inFlight.clear();
                Throwable cause = e.getCause();
                throw new DataLoaderException("DataLoader: worker failed loading batch " + task.index() + " (" + task.what() + "): " + cause, cause);
            } catch (InterruptedException e) {
                failed = true;
                pool.shutdownNow();
                Thread.currentThread().interrupt();
                throw new DataLoaderException("DataLoader: interrupted while waiting for batch " + task.index(), e);
            }
        }
    }

    /**
     * Reads a stream on one daemon thread into a bounded queue; the consumer takes batches in
     * order, and an error in the reader is rethrown to the consumer with its cause.
     */
    private final class StreamPrefetcher implements Iterator<Batch> {
        private record Item(Batch batch, Throwable error, boolean end) {}

        private final java.util.concurrent.BlockingQueue<Item> queue;
        private final Thread reader;
        private Item head;
        private int taken;

        StreamPrefetcher(Iterator<Batch> batches, int capacity) {
            this.queue = new java.util.concurrent.ArrayBlockingQueue<>(capacity);
            this.reader = new Thread(() -> {
                try (var ignored = Ember.noGrad()) {
                    while (batches.hasNext()) queue.put(new Item(batches.next(), null, false));
                    queue.put(new Item(null, null, true));
                } catch (InterruptedException e) {
                    // the consumer went away
                } catch (Throwable t) {
                    try {
                        queue.put(new Item(null, t, true));
                    } catch (InterruptedException ignored) {
                        // the consumer went away
                    }
                }
            }, "ember-loader-" + loaderId + "-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private Item peek() {
            if (head == null) {
                try {
                    head = queue.take();
                } catch (InterruptedException e) {
                    reader.interrupt();
                    Thread.currentThread().interrupt();
                    throw new DataLoaderException("DataLoader: interrupted while waiting for batch " + taken, e);
                }
            }
            return head;
        }

        @Override
        public boolean hasNext() {
            Item item = peek();
            return !item.end() || item.error() != null;
        }

        @Override
        public Batch next() {
            Item item = peek();
            if (item.error() != null)
                throw new DataLoaderException("DataLoader: reader thread failed loading batch " + taken + " of the stream: " + item.error(), item.error());
            if (item.end()) throw new NoSuchElementException();
            head = null;
            taken++;
            return item.batch();
        }
    }

    /** Options of a {@link DataLoader}. */
    public static final class Builder {
        private final Dataset<Example> dataset;
        private final IterableDataset<Example> stream;
        private int batchSize = 1;
        private boolean shuffle;
        private boolean dropLast;
        private long seed = 0;
        private Collate collate;
        private int numWorkers = 0;
        private int prefetch = 2;
        private Sampler sampler;

        private Builder(Dataset<Example> dataset, IterableDataset<Example> stream) {
            if (dataset == null && stream == null) throw new IllegalArgumentException("DataLoader: dataset is null");
            this.dataset = dataset;
            this.stream = stream;
        }

        /** Examples per batch (default 1). */
        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batchSize must be positive, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /** Whether to visit examples in a new random order each epoch (default false). */
        public Builder shuffle(boolean shuffle) { this.shuffle = shuffle; return this; }

        /** Whether to drop a last, incomplete batch (default false). */
        public Builder dropLast(boolean dropLast) { this.dropLast = dropLast; return this; }

        /** Visits the indices that {@code sampler} gives each epoch, in its order (instead of {@code shuffle}). */
        public Builder sampler(Sampler sampler) { this.sampler = sampler; return this; }

        /** Seed of the shuffle generator (default 0). */
        public Builder seed(long seed) { this.seed = seed; return this; }

        /** How a list of examples becomes a batch (default: {@link Collate#stack()}, or the dataset's own batching). */
        public Builder collate(Collate collate) { this.collate = collate; return this; }

        /** Background loader threads (default 0: load on the consuming thread). */
        public Builder numWorkers(int numWorkers) {
            if (numWorkers < 0) throw new IllegalArgumentException("DataLoader: numWorkers must be >= 0, got " + numWorkers);
            this.numWorkers = numWorkers;
            return this;
        }

        /** Batches each worker loads ahead of the consumer (default 2, as PyTorch's prefetch_factor). */
        public Builder prefetch(int prefetch) {
            if (prefetch <= 0) throw new IllegalArgumentException("DataLoader: prefetch must be positive, got " + prefetch);
            this.prefetch = prefetch;
            return this;
        }

        /** The loader. */
        public DataLoader build() { return new DataLoader(this); }
    }
}
