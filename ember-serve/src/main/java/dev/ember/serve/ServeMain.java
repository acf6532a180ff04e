package dev.ember.serve;

import dev.ember.Device;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server as a program of its own, for processes that the studio starts ({@code java ... dev.ember.serve.ServeMain
 * --model DIR --port 8000}); users run {@code ./ember serve}, which takes the same options. With
 * {@code --exit-with PID} the server stops when process {@code PID} (the studio) ends, so it never outlives it.
 */
public final class ServeMain {
    private static final Set<String> OPTIONS = Set.of("--model", "--adapter", "--host", "--port", "--api-key", "--name", "--max-queued",
            "--device", "--exit-with", "--chat-template");

    private ServeMain() {}

    /** Runs the server until the JVM is stopped; a bad option prints one line and exits with code 2. */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> o;
        ServeConfig config;
        LocalModel model;
        try {
            o = parse(args);
            if (!o.containsKey("--model")) throw new IllegalArgumentException("--model DIR is required");
            Path dir = Path.of(o.get("--model"));
            config = new ServeConfig(o.getOrDefault("--host", ServeConfig.DEFAULT_HOST), Integer.parseInt(o.getOrDefault("--port", "8000")),
                    o.getOrDefault("--api-key", System.getenv("EMBER_API_KEY")), o.getOrDefault("--name", defaultName(dir)),
                    Integer.parseInt(o.getOrDefault("--max-queued", String.valueOf(ServeConfig.DEFAULT_MAX_QUEUED))));
            String device = o.getOrDefault("--device", "cpu");
            model = LocalModel.load(dir, o.containsKey("--adapter") ? Path.of(o.get("--adapter")) : null,
                    device.equals("auto") ? Device.best() : Device.parse(device),
                    o.containsKey("--chat-template") ? LocalModel.chatTemplate(o.get("--chat-template")) : null);
        } catch (RuntimeException e) {
            System.err.println("ember serve: " + e.getMessage());
            System.exit(2);
            return;
        }
        OpenAiServer server = new OpenAiServer(config, model).start();
        System.out.println("Ember OpenAI-compatible server: " + server.baseUrl() + " serving '" + config.modelName() + "': " + model.description());
        System.out.flush();
        if (o.containsKey("--exit-with")) {
            long parent = Long.parseLong(o.get("--exit-with"));
            ProcessHandle.of(parent).ifPresentOrElse(p -> p.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.join();
    }

    /** The model's default id: its folder's name. */
    public static String defaultName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String s = name == null ? "model" : name.toString().replaceAll("[^A-Za-z0-9._:/-]", "-");
        return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) ? "model-" + s : s;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i], value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                value = args[++i];
            }
            if (!OPTIONS.contains(a)) throw new IllegalArgumentException("unknown option " + a + " (options: " + OPTIONS + ")");
            o.put(a, value);
        }
        return o;
    }
}
