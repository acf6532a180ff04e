package dev.ember.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Runs shell commands sent by {@link RshAgent} on this host: the part of a Spark barrier task
 * that lets {@code mpirun} on another host start its daemon ({@code orted}) here without ssh, as
 * Horovod-on-Spark does. A client must present the random token that this server published
 * through the barrier's {@code allGather}; the command's output streams back, then its exit code.
 *
 * <p>Protocol (one command per connection): client sends UTF token, UTF command; server sends
 * frames {@code (int length > 0, bytes)} of output and finally {@code (int 0, int exitCode)}.
 */
final class ExecServer implements AutoCloseable {
    private final ServerSocket socket;
    private final String token;
    private final Thread acceptor;

    /** Listens on {@code bindAddress} (an ephemeral port) with a fresh random token. */
    ExecServer(InetAddress bindAddress) throws IOException {
        this.socket = new ServerSocket();
        socket.bind(new InetSocketAddress(bindAddress, 0));
        byte[] t = new byte[24];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.acceptor = new Thread(this::acceptLoop, "ember-exec-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() { return socket.getLocalPort(); }

    String token() { return token; }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> serve(s), "ember-exec");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; var in = new DataInputStream(s.getInputStream()); var out = new DataOutputStream(s.getOutputStream())) {
            String presented = in.readUTF();
            String command = in.readUTF();
            if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                writeFrame(out, "ember exec server: wrong token; command refused\n".getBytes(StandardCharsets.UTF_8));
                out.writeInt(0);
                out.writeInt(126);
                return;
            }
            Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
            // If the client goes away (mpirun ended the job), the command goes too.
            Thread watchdog = new Thread(() -> {
                try {
                    while (in.read() >= 0) { /* the client sends nothing more */ }
                } catch (IOException ignored) {
                    // connection closed
                }
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }, "ember-exec-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            pump(p.getInputStream(), out);
            int rc = p.waitFor();
            out.writeInt(0);
            out.writeInt(rc);
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client went away; nothing to report to
        }
    }

    private static void pump(InputStream from, DataOutputStream to) throws IOException {
        byte[] buf = new byte[8192];
        for (int n; (n = from.read(buf)) > 0; ) writeFrame(to, java.util.Arrays.copyOf(buf, n));
    }

    private static void writeFrame(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
        out.flush();
    }

    /** Sends {@code command} to {@code host:port}, copies its output to {@code sink}, returns its exit code. */
    static int execute(String host, int port, String token, String command, OutputStream sink) throws IOException {
        try (Socket s = new Socket(host, port); var out = new DataOutputStream(s.getOutputStream()); var in = new DataInputStream(s.getInputStream())) {
            out.writeUTF(token);
            out.writeUTF(command);
            out.flush();
            while (true) {
                int n = in.readInt();
                if (n == 0) return in.readInt();
                sink.write(in.readNBytes(n));
                sink.flush();
            }
        }
    }

    @Override
    public void close() throws IOException { socket.close(); }
}
