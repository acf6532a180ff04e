package dev.ember.studio.chat;

import dev.ember.serve.ServeMain;
import dev.ember.studio.ApiError;
import dev.ember.studio.runs.ProcessTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI-compatible server started from the chat tab: a child process ({@code java ... dev.ember.serve.ServeMain})
 * on {@code 127.0.0.1} only, its output in {@code <runs>/serve/server.log}. It ends with the studio ({@code --exit-with}
 * the studio's pid), on {@link #stop}, or when the studio closes. One at a time.
 */
public final class ServerProcess implements AutoCloseable {
    /** What every Ember JVM needs: SIMD kernels, native libraries of the GPU backends. */
    private static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");
    private static final String HOST = "127.0.0.1";

    private final Path log;
    private final String java, classPath;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
    private Process process;
    private int port;
    private String model;

    /** Servers whose output goes under {@code dir}, started with this JVM's {@code java} and class path. */
    public ServerProcess(Path dir) {
        this.log = dir.resolve("server.log");
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.classPath = System.getProperty("java.class.path");
    }

    /** Starts serving the model folder {@code modelDir} on {@code port}; a server already running is a 409. */
    public synchronized Map<String, Object> start(Path modelDir, Path adapter, int port, String chatTemplate) {
        if (process != null && process.isAlive()) throw ApiError.conflict("serve: a server is already running on port " + this.port + "; stop it first");
        if (port < 1024 || port > 65535) throw ApiError.badRequest("serve: port must be 1024..65535, got " + port);
        boolean chatml = chatTemplate != null && chatTemplate.equalsIgnoreCase("chatml");
        if (chatTemplate != null && !chatTemplate.isBlank() && !chatml)
            throw ApiError.badRequest("serve: chat_template must be empty (the model's own) or chatml, got '" + chatTemplate + "'");
        String name = ServeMain.defaultName(modelDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-Xmx1g", "-cp", classPath, ServeMain.class.getName(), "--model", modelDir.toString(), "--host", HOST,
                "--port", Integer.toString(port), "--name", name, "--exit-with", Long.toString(ProcessHandle.current().pid())));
        if (adapter != null) cmd.addAll(List.of("--adapter", adapter.toString()));
        if (chatml) cmd.addAll(List.of("--chat-template", "chatml"));
        try {
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .directory(log.getParent().toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("serve: cannot start " + java + ": " + e.getMessage(), e);
        }
        this.port = port;
        this.model = name;
        return status();
    }

    /**
     * {@code state} ({@code stopped}, {@code starting}, {@code serving} or {@code failed}), the base URL, the model's
     * id, the pid, and the last lines of the server's output.
     */
    public synchronized Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        String state;
        if (process == null) state = "stopped";
        else if (!process.isAlive()) state = process.exitValue() == 0 || process.exitValue() == 143 ? "stopped" : "failed";
        else state = ready() ? "serving" : "starting";
        m.put("state", state);
        if (process != null) {
            m.put("url", "http://" + HOST + ":" + port + "/v1");
            m.put("model", model);
            m.put("pid", process.pid());
            if (!process.isAlive()) m.put("exit_code", process.exitValue());
        }
        m.put("log", tail());
        return m;
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/health")).timeout(Duration.ofSeconds(1))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String tail() {
        try {
            if (!Files.exists(log)) return "";
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** Stops the server (its whole process tree). */
    public synchronized Map<String, Object> stop() {
        if (process == null || !process.isAlive()) throw ApiError.conflict("serve: no server is running");
        ProcessTree.kill(process.pid(), Duration.ofSeconds(3));
        return status();
    }

    /** Stops a running server. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) ProcessTree.kill(process.pid(), Duration.ofSeconds(3));
    }
}
