package dev.ember.serve;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs generations one at a time on one thread, in arrival order, with at most {@code maxQueued} waiting: a model
 * holds one KV cache and saturates the cores by itself, so running two at once would only make both slower. A request
 * that finds the queue full is refused with 429 at once, rather than waiting without bound.
 */
final class GenerationQueue implements AutoCloseable {
    private final ServedModel model;
    private final ThreadPoolExecutor worker;
    private final AtomicLong completed = new AtomicLong(), cancelled = new AtomicLong(), failed = new AtomicLong(), rejected = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong(), completionTokens = new AtomicLong(), cancelledTokens = new AtomicLong();

    GenerationQueue(ServedModel model, int maxQueued) {
        this.model = model;
        BlockingQueue<Runnable> q = maxQueued == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(maxQueued);
        worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, q, r -> {
            Thread t = new Thread(r, "ember-serve-generation");
            t.setDaemon(true);
            return t;
        });
        worker.prestartAllCoreThreads();
    }

    /** Queues {@code job}; a full queue is a 429. */
    void submit(Job job) {
        try {
            worker.execute(new Task(job));
        } catch (RejectedExecutionException e) {
            rejected.incrementAndGet();
            throw new OpenAiError(429, "rate_limit_error", worker.isShutdown() ? "the server is stopping"
                    : "the server is busy: one request is generating and " + worker.getQueue().size() + " are waiting; retry later", null, "queue_full");
        }
    }

    /** A queued job; kept as itself so that {@link #close} can tell the jobs it drops. */
    private final class Task implements Runnable {
        final Job job;

        Task(Job job) { this.job = job; }

        @Override
        public void run() { GenerationQueue.this.run(job); }
    }

    private void run(Job job) {
        Completion c;
        try {
            c = job.generate(model);
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            job.fail(e);
            return;
        }
        // counted before the client hears of the end, so a client that reads the counters next sees its request
        if (c.finish() == Completion.Finish.CANCELLED) {
            cancelled.incrementAndGet();
            cancelledTokens.addAndGet(c.completionTokens());
        } else {
            completed.incrementAndGet();
        }
        promptTokens.addAndGet(c.promptTokens());
        completionTokens.addAndGet(c.completionTokens());
        job.done(c);
    }

    /** Requests waiting now (not counting the one generating). */
    int waiting() { return worker.getQueue().size(); }

    /** Counters since start. */
    OpenAiServer.Stats stats() {
        return new OpenAiServer.Stats(completed.get(), cancelled.get(), failed.get(), rejected.get(), promptTokens.get(), completionTokens.get(),
                cancelledTokens.get());
    }

    /** Stops the worker: the generation running ends at its next token, the waiting ones are dropped. */
    @Override
    public void close() {
        for (Runnable r : worker.shutdownNow())
            if (r instanceof Task t) t.job.fail(new OpenAiError(503, "server_error", "the server is stopping", null, null));
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
