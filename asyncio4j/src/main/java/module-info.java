/**
 * asyncio4j: Python's asyncio for Java 25. Tasks are virtual threads carried by their event
 * loop's thread; see {@link org.asyncio4j.Asyncio} to start.
 *
 * <p>Runs in its fast mode with {@code --add-opens java.base/java.lang=org.asyncio4j} on the
 * module path ({@code =ALL-UNNAMED} on the class path), else in its portable mode
 * ({@link org.asyncio4j.CarrierMode}).
 */
module org.asyncio4j {
    exports org.asyncio4j;
    exports org.asyncio4j.sync;
    exports org.asyncio4j.queues;
    exports org.asyncio4j.streams;
    exports org.asyncio4j.subprocess;
    exports org.asyncio4j.protocols;

    // Only for the test module's TestClock and AsyncioExtension (the manual virtual clock, the
    // loop's task list); not API.
    exports org.asyncio4j.internal to org.asyncio4j.test;

    // Observability: the JFR events (internal.jfr) and each loop's JMX MBean (internal.LoopMBean).
    requires jdk.jfr;
    requires java.management;

    // Signals (internal.carrier.Signals: EventLoop.addSignalHandler, run's Ctrl+C): sun.misc.Signal.
    requires jdk.unsupported;

    // Cooperative name resolution (internal.CooperativeResolverProvider); uses: it looks for an
    // application's own provider to step aside for.
    uses java.net.spi.InetAddressResolverProvider;
    provides java.net.spi.InetAddressResolverProvider with org.asyncio4j.internal.CooperativeResolverProvider;
}
