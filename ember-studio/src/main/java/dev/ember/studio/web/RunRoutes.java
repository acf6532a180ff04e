package dev.ember.studio.web;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.studio.ApiError;
import dev.ember.studio.Json;
import dev.ember.studio.runs.LogTail;
import dev.ember.studio.runs.RunFiles;
import dev.ember.studio.runs.RunLauncher;
import dev.ember.studio.runs.RunStatus;
import dev.ember.studio.runs.RunStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.sse.SseClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The train, live and runs tabs: preview, start, abort, the live event stream, list, compare, rename, delete. */
final class RunRoutes {
    private final RunStore store;
    private final RunLauncher launcher;

    RunRoutes(RunStore store, RunLauncher launcher) {
        this.store = store;
        this.launcher = launcher;
    }

    void register(RoutesConfig r) {
        r.post("/api/preview", ctx -> Http.json(ctx, Map.of("command", launcher.preview(Http.body(ctx, "preview")))));
        r.post("/api/args/check", ctx -> Http.json(ctx, RunStore.publicArgs(launcher.prepare(Http.body(ctx, "arguments")))));
        r.post("/api/runs", ctx -> {
            String id = launcher.start(Http.body(ctx, "run"));
            ctx.status(201);
            Http.json(ctx, store.summary(id));
        });
        r.get("/api/runs", ctx -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (String id : store.ids()) {
                try {
                    out.add(store.summary(id));
                } catch (RuntimeException ex) {
                    // a run directory being deleted or half written: leave it out of this listing
                }
            }
            Http.json(ctx, out);
        });
        r.get("/api/runs/{id}", ctx -> {
            String id = ctx.pathParam("id");
            Map<String, Object> m = new LinkedHashMap<>(store.summary(id));
            m.put("status", store.status(id));
            m.put("records", store.records(id));
            m.put("tail", LogTail.last(store.files(id).stdout(), 40));
            Http.json(ctx, m);
        });
        r.get("/api/runs/{id}/args", ctx -> {
            ctx.header("Content-Disposition", "attachment; filename=\"args.json\"");
            Http.json(ctx, RunStore.publicArgs(store.args(ctx.pathParam("id"))));
        });
        r.post("/api/runs/{id}/abort", ctx -> Http.json(ctx, launcher.abort(ctx.pathParam("id"))));
        r.post("/api/runs/{id}/rename", ctx -> {
            store.rename(ctx.pathParam("id"), Http.string(Http.body(ctx, "rename"), "name", null));
            Http.json(ctx, store.summary(ctx.pathParam("id")));
        });
        r.delete("/api/runs/{id}", ctx -> {
            store.delete(ctx.pathParam("id"));
            Http.json(ctx, Map.of("deleted", ctx.pathParam("id")));
        });
        r.get("/api/compare", ctx -> Http.json(ctx, compare(ctx.queryParam("ids"))));
        r.sse("/api/runs/{id}/events", this::stream);
    }

    /** Curves of several runs on one chart and the arguments that differ between them. */
    Map<String, Object> compare(String ids) {
        if (ids == null || ids.isBlank()) throw ApiError.badRequest("ids: name the runs to compare, comma-separated");
        List<String> list = List.of(ids.split(","));
        if (list.size() > 12) throw ApiError.badRequest("ids: at most 12 runs");
        List<Map<String, Object>> runs = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        List<JsonObject> argsList = new ArrayList<>();
        for (String id : list) {
            JsonObject args = RunStore.publicArgs(store.args(id.strip()));
            argsList.add(args);
            keys.addAll(args.keySet());
            Map<String, Object> run = new LinkedHashMap<>(store.summary(id.strip()));
            run.put("records", store.records(id.strip()));
            runs.add(run);
        }
        List<Map<String, Object>> diff = new ArrayList<>();
        for (String k : keys) {
            List<JsonElement> values = new ArrayList<>();
            for (JsonObject a : argsList) values.add(a.get(k));
            boolean differs = values.stream().map(v -> v == null ? null : v.toString()).distinct().count() > 1;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", k);
            row.put("values", values.stream().map(v -> v == null ? null : v.isJsonPrimitive() ? v.getAsString() : v.toString()).toList());
            row.put("differs", differs);
            diff.add(row);
        }
        return Map.of("runs", runs, "diff", diff);
    }

    /**
     * Streams a run as it goes: {@code record} (each run-log line), {@code resource} (memory samples), {@code log}
     * (output lines), {@code status} (when it changes), then {@code end} once the run is over and all is sent.
     */
    private void stream(SseClient client) {
        String id = client.ctx().pathParam("id");
        RunFiles f;
        try {
            f = store.files(id);
        } catch (ApiError ex) {
            client.sendEvent("error", Json.write(Map.of("error", ex.getMessage())));
            client.close();
            return;
        }
        client.keepAlive();
        Thread.ofVirtual().name("studio-sse-" + id).start(() -> follow(client, id, f));
    }

    private void follow(SseClient client, String id, RunFiles f) {
        LogTail log = new LogTail(f.log()), res = new LogTail(f.resources()), out = new LogTail(f.stdout());
        String lastStatus = null;
        try {
            while (!client.terminated()) {
                RunStatus st = store.status(id);
                boolean done = st.isFinal();
                for (String line : log.poll(4 << 20)) send(client, "record", line);
                for (String line : res.poll(1 << 20)) send(client, "resource", line);
                for (String line : out.poll(1 << 20)) client.sendEvent("log", Json.write(Map.of("line", line)));
                String s = Json.write(st);
                if (!Objects.equals(s, lastStatus)) {
                    client.sendEvent("status", s);
                    lastStatus = s;
                }
                if (done) {
                    client.sendEvent("end", s);
                    break;
                }
                Thread.sleep(250);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ex) {
            // the page went away or the run was deleted
        } finally {
            client.close();
        }
    }

    private static void send(SseClient client, String event, String line) {
        if (line.isBlank()) return;
        try {
            client.sendEvent(event, Json.GSON.toJson(Json.parseLenient(line)));
        } catch (RuntimeException ex) {
            // a line cut short by a crash
        }
    }
}
