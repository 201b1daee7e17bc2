package org.asyncio4j.protocols;

import java.nio.ByteBuffer;

/** Writes back whatever it receives (uvloop's echo protocol). */
class Echo implements Protocol {
    Transport transport;

    @Override
    public void connectionMade(Transport t) {
        transport = t;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        transport.write(data);
    }
}
