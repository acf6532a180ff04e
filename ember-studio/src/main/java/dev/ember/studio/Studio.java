package dev.ember.studio;

import dev.ember.Ember;
import dev.ember.backend.Backends;
import dev.ember.studio.chat.ChatService;
import dev.ember.studio.insight.Evaluator;
import dev.ember.studio.runs.DataCatalog;
import dev.ember.studio.runs.Presets;
import dev.ember.studio.runs.RunLauncher;
import dev.ember.studio.runs.RunStore;
import dev.ember.studio.web.WebApp;
import java.util.ArrayList;
import java.util.List;

/**
 * Ember Studio: serves the page and its API ({@code ./ember studio}). Runs are child processes that write their
 * files under the runs directory; the studio only reads those files and starts and stops processes, so it can be
 * stopped and started again without losing a run.
 *
 * <pre>{@code
 * try (Studio studio = new Studio(StudioConfig.defaults()).start()) {
 *     System.out.println(studio.url());
 *     studio.join();
 * }
 * }</pre>
 */
public final class Studio implements AutoCloseable {
    private final StudioConfig config;
    private final RunStore store;
    private final RunLauncher launcher;
    private final WebApp web;

    /** A studio with these settings and the chat models found on the class path. */
    public Studio(StudioConfig config) { this(config, new ChatService(), null); }

    /**
     * A studio with an explicit chat service and, when {@code launcher} is null, runs launched with this JVM's
     * {@code java} and class path.
     */
    public Studio(StudioConfig config, ChatService chat, RunLauncher launcher) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        this.config = config;
        this.store = new RunStore(config.runsDir());
        List<String> devices = new ArrayList<>(List.of("auto"));
        devices.addAll(Backends.types());
        Presets presets = new Presets(devices);
        DataCatalog data = new DataCatalog(new PathGuard(config.dataRoots()), store.root().resolve(".data"));
        this.launcher = launcher != null ? launcher : new RunLauncher(store, data, presets);
        this.web = new WebApp(config, store, this.launcher, presets, data, new Evaluator(store), chat);
    }

    /** Starts serving. */
    public Studio start() {
        web.start();
        return this;
    }

    /** The port served (the real one when the config asked for 0). */
    public int port() { return web.port(); }

    /** The page's address, with the token when there is one. */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port() + "/" + (config.token() == null ? "" : "?token=" + config.token());
    }

    /** The runs. */
    public RunStore runs() { return store; }

    /** Starts and aborts runs. */
    public RunLauncher launcher() { return launcher; }

    /** Blocks until the JVM is stopped. */
    public void join() throws InterruptedException {
        Thread.currentThread().join();
    }

    /** Stops serving; running runs go on. */
    @Override
    public void close() { web.stop(); }

    /** The version shown on the page. */
    public static String version() { return Ember.VERSION; }
}
