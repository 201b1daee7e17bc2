package org.asyncio4j.protocols;

import static org.asyncio4j.Asyncio.getRunningLoop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.asyncio4j.Future;

/**
 * A protocol that records every callback in order (CPython test_events' MyBaseProto, with its
 * state machine INITIAL → CONNECTED → EOF → CLOSED checked on every call) and keeps the bytes.
 * Futures: {@link #connected} after connectionMade, {@link #done} after connectionLost (its
 * argument as the result).
 */
class Recorder implements Protocol {
    String state = "INITIAL";
    Transport transport;
    final List<String> events = new ArrayList<>();
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    long nbytes;
    boolean keepOpenOnEof;
    Exception lostWith;
    final Future<Void> connected = getRunningLoop().createFuture();
    final Future<Exception> done = getRunningLoop().createFuture();

    private void expectState(String... allowed) {
        for (String s : allowed) {
            if (s.equals(state)) {
                return;
            }
        }
        fail("state " + state + ", expected one of " + List.of(allowed) + "; events " + events);
    }

    @Override
    public void connectionMade(Transport t) {
        expectState("INITIAL");
        transport = t;
        state = "CONNECTED";
        events.add("made");
        connected.setResult(null);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        expectState("CONNECTED");
        byte[] b = new byte[data.remaining()];
        data.get(b);
        received.writeBytes(b);
        nbytes += b.length;
        events.add("data");
    }

    @Override
    public boolean eofReceived() {
        expectState("CONNECTED");
        state = "EOF";
        events.add("eof");
        return keepOpenOnEof;
    }

    @Override
    public void connectionLost(Exception failure) {
        expectState("CONNECTED", "EOF");
        state = "CLOSED";
        lostWith = failure;
        events.add("lost");
        done.setResult(failure);
    }

    @Override
    public void pauseWriting() {
        events.add("pause");
    }

    @Override
    public void resumeWriting() {
        events.add("resume");
    }

    String text() {
        return received.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** connectionLost ran once, after everything else. */
    void assertLostOnceAndLast() {
        assertEquals("CLOSED", state);
        assertEquals(1, events.stream().filter("lost"::equals).count(), events::toString);
        assertEquals("lost", events.get(events.size() - 1), events::toString);
        assertTrue(transport.isClosing());
    }
}
