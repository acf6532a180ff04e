package dev.ember.studio.web;

import com.google.gson.JsonObject;
import dev.ember.studio.insight.Evaluator;
import io.javalin.config.RoutesConfig;
import java.util.concurrent.Semaphore;

/** The evaluate and explain tabs. One evaluation at a time, so the page cannot pile up work on a small machine. */
final class InsightRoutes {
    private final Evaluator evaluator;
    private final Semaphore busy = new Semaphore(1);

    InsightRoutes(Evaluator evaluator) { this.evaluator = evaluator; }

    void register(RoutesConfig r) {
        r.get("/api/runs/{id}/checkpoints", ctx -> Http.json(ctx, evaluator.checkpoints(ctx.pathParam("id"))));
        r.post("/api/evaluate", ctx -> {
            JsonObject b = Http.body(ctx, "evaluate");
            Http.json(ctx, exclusive(() -> evaluator.evaluate(Http.string(b, "run", null), Http.string(b, "checkpoint", "model"),
                    Http.integer(b, "limit", 1000))));
        });
        r.post("/api/explain", ctx -> {
            JsonObject b = Http.body(ctx, "explain");
            Integer target = b.has("target") && !b.get("target").isJsonNull() && !b.get("target").getAsString().isBlank()
                    ? Http.integer(b, "target", 0) : null;
            Http.json(ctx, exclusive(() -> evaluator.explain(Http.string(b, "run", null), Http.string(b, "checkpoint", "model"),
                    Http.integer(b, "index", 0), target, Http.integer(b, "steps", 32))));
        });
        r.get("/api/runs/{id}/importances", ctx -> Http.json(ctx, exclusive(() -> evaluator.importances(ctx.pathParam("id")))));
    }

    private <T> T exclusive(java.util.function.Supplier<T> work) throws InterruptedException {
        busy.acquire();
        try {
            return work.get();
        } finally {
            busy.release();
        }
    }
}
