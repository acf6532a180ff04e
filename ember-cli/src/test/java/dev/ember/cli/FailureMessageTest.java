package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FailureMessageTest {

    @Test
    void aBadSettingReadByAClassInitialiserIsReportedAsTheSetting() {
        var bad = new IllegalArgumentException("-Dember.cpu.cacheLimit=lots: expected a size in bytes with an optional k, m or g suffix, such as 512m");
        String line = FailureMessage.describe("ember train", new ExceptionInInitializerError(bad), false);
        assertEquals("ember train: " + bad.getMessage(), line);
    }

    @Test
    void otherErrorsStayInternalErrorsWithTheDebugHint() {
        String line = FailureMessage.describe("ember train", new ExceptionInInitializerError(new NullPointerException("x")), false);
        assertTrue(line.startsWith("ember train: internal error: "), line);
        assertTrue(line.endsWith("run with --debug for the stack trace"), line);
    }
}
