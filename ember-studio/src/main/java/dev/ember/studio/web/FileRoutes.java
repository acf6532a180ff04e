package dev.ember.studio.web;

import dev.ember.studio.ApiError;
import dev.ember.studio.PathGuard;
import dev.ember.studio.StudioConfig;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Browsing the data roots (for the dataset picker) and uploading a file into {@code <first data root>/uploads}. */
final class FileRoutes {
    private final StudioConfig config;

    FileRoutes(StudioConfig config) { this.config = config; }

    void register(RoutesConfig r) {
        r.get("/api/files", ctx -> {
            int root = parseRoot(ctx.queryParam("root"));
            Path base = config.dataRoots().get(root).toAbsolutePath().normalize();
            String sub = ctx.queryParam("path");
            Path dir = sub == null || sub.isBlank() ? base : new PathGuard(List.of(base)).resolveExisting("path", sub);
            if (!Files.isDirectory(dir)) throw ApiError.badRequest("path: not a directory");
            List<Map<String, Object>> entries = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().limit(500).toList()) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("name", p.getFileName().toString());
                    e.put("path", p.toString());
                    e.put("dir", Files.isDirectory(p));
                    e.put("size", Files.isRegularFile(p) ? Files.size(p) : 0);
                    entries.add(e);
                }
            }
            Http.json(ctx, Map.of("root", base.toString(), "dir", dir.toString(), "entries", entries));
        });
        r.post("/api/uploads", ctx -> {
            Path root = config.dataRoots().stream().filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> ApiError.conflict("upload: no data root exists to upload into"));
            Path dir = root.resolve("uploads");
            Files.createDirectories(dir);
            Path target = PathGuard.newFileIn(dir, "name", ctx.queryParam("name"));
            Path tmp = Files.createTempFile(dir, ".upload", ".tmp");
            long limit = config.maxUploadBytes(), total = 0;
            try (InputStream in = ctx.bodyInputStream(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > limit) throw new ApiError(413, "upload: more than the " + limit + " bytes allowed");
                    out.write(buf, 0, n);
                }
            } catch (ApiError | IOException ex) {
                Files.deleteIfExists(tmp);
                throw ex;
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ctx.status(201);
            Http.json(ctx, Map.of("path", target.toString(), "bytes", total));
        });
    }

    private int parseRoot(String s) {
        try {
            int i = s == null ? 0 : Integer.parseInt(s);
            if (i < 0 || i >= config.dataRoots().size()) throw ApiError.badRequest("root: 0 to " + (config.dataRoots().size() - 1));
            return i;
        } catch (NumberFormatException ex) {
            throw ApiError.badRequest("root: expected a number");
        }
    }
}
