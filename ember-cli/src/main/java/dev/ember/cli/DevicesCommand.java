package dev.ember.cli;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code ./ember devices}: every backend and device found, and why a backend is absent. */
@Command(name = "devices", mixinStandardHelpOptions = true, version = "Ember " + dev.ember.Ember.VERSION,
        description = "List backends and devices, and why a backend is unavailable.")
public final class DevicesCommand implements Runnable {
    @Override
    public void run() {
        for (Backends.Family f : Backends.all()) {
            String kind = f.type();
            if (!f.available()) {
                System.out.printf("%-7s unavailable: %s%n", kind, f.reason());
                continue;
            }
            for (int i = 0; i < f.devices().size(); i++) {
                Backend b = f.devices().get(i);
                String mem = b instanceof Backends.GpuInfo g ? String.format(Locale.ROOT, ", %.1f GiB", g.totalMemory() / 1073741824.0) : "";
                System.out.printf("%-7s %s: %s%s%n", kind, b.device(), b.name(), mem);
            }
        }
        System.out.println("best:   " + Backends.best() + " (" + Backends.bestReason() + ")");
    }
}
