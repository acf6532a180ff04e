package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The chat commands answer {@code --help} and {@code -h} with their usage (and {@code --version} with Ember's), as their own error messages tell the user
 * to ask for it ("see 'ember chat --help'").
 */
class ChatCommandsHelpTest {
    @Test
    void everyChatCommandTakesHelp() {
        for (String cmd : new String[]{"tune", "chat", "evaluate", "export", "serve"}) {
            for (String flag : new String[]{"--help", "-h"}) {
                GptCommandsTest.Run r = GptCommandsTest.cli(cmd, flag);
                assertEquals(0, r.code(), cmd + " " + flag + ": " + r.out());
                assertTrue(r.out().contains("Usage: ember " + cmd) && r.out().contains("--model"), cmd + " " + flag + ":\n" + r.out());
            }
            GptCommandsTest.Run v = GptCommandsTest.cli(cmd, "--version"); // the help lists -V: it must print something
            assertEquals(0, v.code(), cmd + " --version: " + v.out());
            assertTrue(v.out().startsWith("Ember "), cmd + " --version: " + v.out());
        }
    }
}
