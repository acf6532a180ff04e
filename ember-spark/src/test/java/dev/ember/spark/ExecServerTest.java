package dev.ember.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The ssh stand-in that lets mpirun start its daemons inside Spark tasks. */
class ExecServerTest {

    @Test
    void runsTheCommandStreamsItsOutputAndReturnsItsExitCode() throws Exception {
        try (ExecServer server = new ExecServer(InetAddress.getLoopbackAddress())) {
            var out = new ByteArrayOutputStream();
            int rc = ExecServer.execute("127.0.0.1", server.port(), server.token(), "echo one; echo two >&2; exit 3", out);
            assertEquals(3, rc);
            assertEquals("one\ntwo\n", out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aClientWithoutTheTokenIsRefused() throws Exception {
        try (ExecServer server = new ExecServer(InetAddress.getLoopbackAddress())) {
            var out = new ByteArrayOutputStream();
            int rc = ExecServer.execute("127.0.0.1", server.port(), "guess", "touch /tmp/should-not-exist-ember", out);
            assertEquals(126, rc);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("wrong token"));
            assertTrue(!new java.io.File("/tmp/should-not-exist-ember").exists());
        }
    }
}
