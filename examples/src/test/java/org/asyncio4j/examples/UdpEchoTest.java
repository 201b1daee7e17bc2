package org.asyncio4j.examples;

import static org.asyncio4j.Asyncio.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The UDP echo examples together: the protocol server echoes every line the endpoint client
 * sends, in order, and the client's main prints each echo; a server that is not there is
 * reported (the ICMP error on the connected endpoint) rather than waited for.
 */
@Timeout(30)
class UdpEchoTest {

    @Test
    void theClient_getsEveryLineBack_fromTheServer() {
        List<String> replies = run(() -> {
            var server = UdpEchoServer.start(0);
            int port = ((InetSocketAddress) server.transport().getExtraInfo("sockname")).getPort();
            try {
                return UdpEchoClient.exchange(port, List.of("one", "two", "three"));
            } finally {
                server.transport().close();
            }
        });
        assertEquals(List.of("one", "two", "three"), replies);
    }

    @Test
    void theClientsMain_printsTheEchoes_whileTheServerRunsOnItsOwnLoop() throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread serverThread = Thread.ofPlatform().start(() -> run(() -> {
            var server = UdpEchoServer.start(0);
            port.complete(((InetSocketAddress) server.transport().getExtraInfo("sockname")).getPort());
            try {
                toThread(() -> done.await(20, TimeUnit.SECONDS));
            } finally {
                server.transport().close();
            }
        }));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int p = port.get(20, TimeUnit.SECONDS);
            System.setOut(new PrintStream(out, true));
            UdpEchoClient.main(new String[] {String.valueOf(p), "hi", "there"});
        } finally {
            System.setOut(old);
            done.countDown();
            serverThread.join();
        }
        String printed = out.toString();
        assertTrue(printed.contains("echoed: hi\n") && printed.contains("echoed: there\n"), printed);
    }

    @Test
    void noServer_saysSo_insteadOfHanging() {
        int[] port = {0};
        List<String> replies = run(() -> {
            try (var probe = java.nio.channels.DatagramChannel.open()) {
                probe.bind(new InetSocketAddress("127.0.0.1", 0));
                port[0] = ((InetSocketAddress) probe.getLocalAddress()).getPort();
            }
            return UdpEchoClient.exchange(port[0], List.of("lost"));
        });
        assertEquals(List.of("(nothing listens on port " + port[0] + ")"), replies);
    }
}
