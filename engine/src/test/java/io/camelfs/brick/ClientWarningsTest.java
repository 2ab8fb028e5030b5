package io.camelfs.brick;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.junit.jupiter.api.Test;

/** A flood of client-caused warnings reaches the log at most ten a second, and the rest are counted. */
class ClientWarningsTest {
    /** Records what would be logged. */
    private static final class Recorder extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new ArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, org.slf4j.Marker marker, String msg, Object[] args,
                Throwable t) {
            lines.add(MessageFormatter.basicArrayFormat(msg, args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    @Test
    void aFloodIsCutToTenASecondAndTheRestCounted() throws Exception {
        Recorder log = new Recorder();
        ClientWarnings w = new ClientWarnings(log);
        for (int i = 0; i < 1000; i++) {
            w.warn("refusing {}", "client-" + i);
        }
        assertTrue(log.lines.size() <= 20, log.lines.size() + " lines"); // a second boundary may fall inside
        assertEquals("refusing client-0", log.lines.get(0));
        Thread.sleep(1_100);
        w.warn("refusing {}", "late");
        String last = log.lines.get(log.lines.size() - 1);
        assertTrue(last.startsWith("refusing late (") && last.endsWith(" similar warnings held back)"), last);
        long held = Long.parseLong(last.replaceAll("\\D+", " ").trim().split(" ")[0]);
        assertEquals(1000 - (log.lines.size() - 1), held, "every held-back warning is counted: " + last);
    }
}
