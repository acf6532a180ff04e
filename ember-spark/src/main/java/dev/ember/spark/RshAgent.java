package dev.ember.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The "remote shell" that {@code mpirun} uses inside a Spark job instead of ssh
 * ({@code --mca plm_rsh_agent}): called as {@code RshAgent HOSTS_FILE host command...}, it sends
 * the command to the {@link ExecServer} of the barrier task on {@code host} and exits with the
 * command's exit code. {@code HOSTS_FILE} has one {@code host port token} line per task host.
 */
public final class RshAgent {
    private RshAgent() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: RshAgent HOSTS_FILE host command...");
            System.exit(2);
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        String host = args[1];
        // Open MPI may pass ssh-style options before the host; skip anything that starts with '-'.
        int at = 1;
        while (at < args.length && args[at].startsWith("-")) at++;
        host = args[at];
        String command = String.join(" ", Arrays.copyOfRange(args, at + 1, args.length));
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals(host)) {
                System.exit(ExecServer.execute(host, Integer.parseInt(f[1]), f[2], command, System.out));
            }
        }
        System.err.println("ember rsh agent: no Spark task runs on host '" + host + "' (known: " + lines.stream().map(l -> l.split("\\s+")[0]).toList() + ")");
        System.exit(255);
    }
}
