package dev.ember.serve;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One request's generation, handed from the HTTP thread that received it to the generation thread: the worker
 * puts text pieces and then the end into {@link #next}'s queue, the HTTP thread takes them and writes them to the
 * client. {@link #cancel} (the client went away) makes the worker stop at its next token.
 */
final class Job {
    /** What the worker reports. */
    sealed interface Event {}

    /** A piece of new text. */
    record Text(String text) implements Event {}

    /** The generation ended. */
    record Done(Completion completion) implements Event {}

    /** The generation failed. */
    record Failed(RuntimeException error) implements Event {}

    final int[] prompt;
    final SamplingParams params;
    final List<String> extraStops;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;

    Job(int[] prompt, SamplingParams params, List<String> extraStops) {
        this.prompt = prompt;
        this.params = params;
        this.extraStops = List.copyOf(extraStops);
    }

    /** Runs the generation on the worker thread; the end is reported by {@link #done} or {@link #fail}. */
    Completion generate(ServedModel model) {
        return model.generate(prompt, params, extraStops, text -> events.add(new Text(text)),
                () -> cancelled || Thread.currentThread().isInterrupted());
    }

    /** Reports the end of the generation. */
    void done(Completion c) { events.add(new Done(c)); }

    /** Reports a failed generation, or a job that never ran. */
    void fail(RuntimeException error) { events.add(new Failed(error)); }

    /** The next event, waiting for it. */
    Event next() throws InterruptedException { return events.take(); }

    /** Asks the worker to stop this generation. */
    void cancel() { cancelled = true; }

    boolean cancelled() { return cancelled; }
}
