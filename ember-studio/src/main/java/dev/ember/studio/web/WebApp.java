package dev.ember.studio.web;

import dev.ember.studio.ApiError;
import dev.ember.studio.Json;
import dev.ember.studio.PathGuard;
import dev.ember.studio.Studio;
import dev.ember.studio.StudioConfig;
import dev.ember.studio.chat.ChatService;
import dev.ember.studio.chat.ServerProcess;
import dev.ember.studio.insight.Evaluator;
import dev.ember.studio.runs.DataCatalog;
import dev.ember.studio.runs.Presets;
import dev.ember.studio.runs.RunLauncher;
import dev.ember.studio.runs.RunStore;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Javalin server: the page (files in the jar, charts from the ECharts WebJar), the guard and the API routes. */
public final class WebApp {
    private final Javalin app;
    private final StudioConfig config;
    private final ServerProcess server;

    /** Wires the routes; {@link #start} serves them. */
    public WebApp(StudioConfig config, RunStore store, RunLauncher launcher, Presets presets, DataCatalog data, Evaluator evaluator,
                  ChatService chat) {
        this.config = config;
        Guard guard = new Guard(config);
        List<Path> weightRoots = new ArrayList<>(config.dataRoots());
        weightRoots.add(store.root());
        this.server = new ServerProcess(store.root().resolve(".serve"));
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = Guard.MAX_JSON;
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.staticFiles.enableWebjars();
            cfg.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/dev/ember/studio/web/assets";
                s.location = Location.CLASSPATH;
            });
            cfg.routes.before(ctx -> {
                Guard.secureHeaders(ctx);
                guard.check(ctx);
            });
            cfg.routes.exception(ApiError.class, (ex, ctx) -> error(ctx, ex.status(), ex.getMessage()));
            cfg.routes.exception(IllegalArgumentException.class, (ex, ctx) -> error(ctx, 400, ex.getMessage()));
            cfg.routes.exception(UncheckedIOException.class, (ex, ctx) -> error(ctx, 500, ex.getMessage()));
            cfg.routes.exception(Exception.class, (ex, ctx) -> error(ctx, 500, ex.getClass().getSimpleName() + ": " + ex.getMessage()));
            cfg.routes.get("/api/info", ctx -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("version", Studio.version());
                m.put("data_roots", config.dataRoots().stream().map(p -> p.toAbsolutePath().toString()).toList());
                m.put("runs_dir", store.root().toString());
                m.put("max_upload_bytes", config.maxUploadBytes());
                m.put("presets", presets.all());
                m.put("datasets", data.list());
                Http.json(ctx, m);
            });
            new RunRoutes(store, launcher).register(cfg.routes);
            new InsightRoutes(evaluator).register(cfg.routes);
            new FileRoutes(config).register(cfg.routes);
            new ChatRoutes(chat, new PathGuard(weightRoots), store.root(), server).register(cfg.routes);
        });
    }

    private static void error(io.javalin.http.Context ctx, int status, String message) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(Json.write(Map.of("error", String.valueOf(message))));
    }

    /** Binds and serves. */
    public void start() { app.start(); }

    /** The port bound. */
    public int port() { return app.port(); }

    /** Stops serving, and the OpenAI-compatible server started from the chat tab. */
    public void stop() {
        app.stop();
        server.close();
    }
}
