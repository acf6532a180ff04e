package dev.ember.cli;

import dev.ember.Device;
import dev.ember.serve.LocalModel;
import dev.ember.serve.OpenAiServer;
import dev.ember.serve.ServeConfig;
import dev.ember.serve.ServeMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./ember serve --model DIR}: an OpenAI-compatible server for a language model folder on
 * {@code 127.0.0.1:8000} ({@code /v1/models}, {@code /v1/completions}, {@code /v1/chat/completions}, streamed or not).
 * Any address but loopback needs {@code --api-key}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION,
        description = "Serve a language model folder over an OpenAI-compatible HTTP API (/v1/models, /v1/completions, /v1/chat/completions).")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model folder: config.json, model.safetensors, tokenizer (and a chat template for chat).")
    Path model;

    @Option(names = "--adapter", description = "LoRA adapter folder to apply (adapter_config.json, adapter_model.safetensors).")
    Path adapter;

    @Option(names = "--host", description = "Address to bind (default ${DEFAULT-VALUE}); any other than loopback needs --api-key.",
            defaultValue = ServeConfig.DEFAULT_HOST)
    String host;

    @Option(names = "--port", description = "Port (default ${DEFAULT-VALUE}; 0: any free port).", defaultValue = "8000")
    int port;

    @Option(names = "--api-key", description = "Key that clients must send as 'Authorization: Bearer KEY' (also EMBER_API_KEY); required off loopback.")
    String apiKey;

    @Option(names = "--name", description = "The model's id in /v1/models and requests (default: the folder's name).")
    String name;

    @Option(names = "--chat-template", description = "chatml, a tokenizer_config.json or a Jinja file, for a model folder without a chat template.")
    String chatTemplate;

    @Option(names = "--max-queued", description = "Requests that may wait while one generates; more get 429 (default ${DEFAULT-VALUE}).",
            defaultValue = "16")
    int maxQueued;

    @Option(names = "--device", description = "cpu, cuda, opencl or auto (default ${DEFAULT-VALUE}).", defaultValue = "cpu")
    String device;

    @Override
    public Integer call() throws Exception {
        try (OpenAiServer server = start()) {
            System.out.println("Ember OpenAI-compatible server: " + server.baseUrl() + " serving '" + server.config().modelName() + "': "
                    + server.model().description());
            System.out.println("Try: curl " + server.baseUrl() + "/models" + (server.config().apiKey() == null ? "" : " -H \"Authorization: Bearer $KEY\"")
                    + ". Ctrl-C stops the server.");
            server.join();
        }
        return 0;
    }

    /** Checks the options, loads the model and starts serving. */
    OpenAiServer start() {
        String key = apiKey != null ? apiKey : System.getenv("EMBER_API_KEY");
        ServeConfig config = new ServeConfig(host, port, key, name != null ? name : ServeMain.defaultName(model), maxQueued);
        LocalModel m = LocalModel.load(model, adapter, Device.parse(device),
                chatTemplate == null ? null : LocalModel.chatTemplate(chatTemplate));
        return new OpenAiServer(config, m).start();
    }
}
