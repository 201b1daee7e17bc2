package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.asyncio4j.streams.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two line servers, the {@code Protocol} one and the streams one, answer the same input with
 * the same bytes: lines split across writes, a line in many pieces, {@code quit} closing the
 * connection (what follows it is ignored), a partial last line at EOF.
 */
@Timeout(30)
class LineServersTest {

    interface Starter {
        Server start(int port) throws Exception;
    }

    /** Sends the chunks one by one (with a pause between, so they arrive apart) and reads to EOF. */
    static String converse(Starter server, List<String> chunks) {
        return run(() -> {
            try (Server s = server.start(0)) {
                var c = openConnection("127.0.0.1", s.port());
                for (String chunk : chunks) {
                    c.writer().write(chunk.getBytes(StandardCharsets.UTF_8));
                    c.writer().drain();
                    sleep(0.01);
                }
                c.writer().writeEof();
                String out = new String(c.reader().read(-1), StandardCharsets.UTF_8);
                c.writer().close();
                return out;
            }
        });
    }

    static void assertTwinsAnswer(List<String> input, String expected) {
        String byProtocol = converse(LineProtocolServer::start, input);
        String byStreams = converse(LineStreamServer::start, input);
        assertEquals(expected, byProtocol, "protocol server");
        assertEquals(byProtocol, byStreams, "the stream twin answers the same");
    }

    @Test
    void linesInPieces_answeredUpperCased_quitSaysByeAndCloses() {
        assertTwinsAnswer(List.of("hello\n", "Wor", "l", "d\nagain\nq", "uit\n", "ignored\n"), "HELLO\nWORLD\nAGAIN\nbye\n");
    }

    @Test
    void eofWithAPartialLine_answersTheCompleteOnesOnly() {
        assertTwinsAnswer(List.of("one\ntwo\nthr"), "ONE\nTWO\n");
    }

    @Test
    void aLineLongerThanTheLimit_isRefusedAndTheConnectionClosed() {
        assertTwinsAnswer(List.of("ok\n", "x".repeat(LineProtocolServer.MAX_LINE + 10) + "\n"), "OK\nline too long\n");
    }
}
