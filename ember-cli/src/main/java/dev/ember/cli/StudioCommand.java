package dev.ember.cli;

import dev.ember.studio.Json;
import dev.ember.studio.Studio;
import dev.ember.studio.StudioConfig;
import dev.ember.studio.runner.RunMain;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./ember studio}: serves Ember Studio (train, watch, compare, evaluate, explain, chat) on
 * {@code 127.0.0.1:7860} and prints its URL; {@code ./ember studio run ARGS.json} runs a saved arguments file here.
 */
@Command(name = "studio", mixinStandardHelpOptions = true, description = "Serve Ember Studio, the web page to train, watch, compare, evaluate and explain models.",
        subcommands = StudioCommand.Run.class)
public final class StudioCommand implements Callable<Integer> {
    @Option(names = "--host", description = "Address to bind (default ${DEFAULT-VALUE}); any other than loopback needs --token.",
            defaultValue = StudioConfig.DEFAULT_HOST)
    String host;

    @Option(names = "--port", description = "Port (default ${DEFAULT-VALUE}; 0: any free port).", defaultValue = "7860")
    int port;

    @Option(names = "--token", description = "Secret the page must present (in its URL); required off loopback.")
    String token;

    @Option(names = "--data-root", description = "Directory that dataset paths may point into; repeatable "
            + "(default: ~/.ember/datasets and /usr/share/datasets).")
    List<Path> dataRoots;

    @Option(names = "--runs-dir", description = "Where runs are written (default ${DEFAULT-VALUE}).", defaultValue = "runs/studio")
    Path runsDir;

    @Option(names = "--max-upload-mb", description = "Largest upload in MiB (default ${DEFAULT-VALUE}).", defaultValue = "64")
    long maxUploadMb;

    @Override
    public Integer call() throws Exception {
        StudioConfig cfg = new StudioConfig(host, port, token, dataRoots == null ? StudioConfig.defaultDataRoots() : dataRoots, runsDir,
                maxUploadMb << 20);
        try (Studio studio = new Studio(cfg).start()) {
            System.out.println("Ember Studio: " + studio.url());
            System.out.println("runs in " + studio.runs().root() + "; data roots " + cfg.dataRoots() + ". Ctrl-C stops the studio; runs go on.");
            studio.join();
        }
        return 0;
    }

    /** {@code ./ember studio run ARGS.json}: the run a saved arguments file describes, in this process. */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a saved arguments file (from the studio's Save arguments) in this terminal.")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", description = "The arguments file (JSON).")
        Path args;

        @Option(names = "--runs-dir", description = "Where the run is written (default ${DEFAULT-VALUE}).", defaultValue = "runs/studio")
        Path runsDir;

        @Option(names = "--data-root", description = "Directory that dataset paths may point into; repeatable.")
        List<Path> dataRoots;

        @Override
        public Integer call() {
            StudioConfig cfg = new StudioConfig(StudioConfig.DEFAULT_HOST, 0, null,
                    dataRoots == null ? StudioConfig.defaultDataRoots() : dataRoots, runsDir, StudioConfig.DEFAULT_MAX_UPLOAD);
            Studio studio = new Studio(cfg);
            var prepared = studio.launcher().prepare(Json.readObject(args));
            String id = studio.runs().create(prepared);
            System.out.println("run " + id + " in " + studio.runs().files(id).dir());
            return RunMain.run(studio.runs().files(id).args());
        }
    }
}
