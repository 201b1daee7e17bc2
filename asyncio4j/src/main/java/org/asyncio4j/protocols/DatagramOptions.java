package org.asyncio4j.protocols;

/**
 * Socket options of a datagram endpoint. Immutable; each {@code with} method returns a copy.
 *
 * <p>Python: the {@code reuse_port} and {@code allow_broadcast} arguments of {@code
 * create_datagram_endpoint} (Python removed {@code reuse_address} for UDP, as a security risk
 * on Linux; here it is off by default and yours to choose).
 */
public final class DatagramOptions {
    private static final DatagramOptions DEFAULTS = new DatagramOptions(false, false, false);

    private final boolean reuseAddress;
    private final boolean reusePort;
    private final boolean broadcast;

    private DatagramOptions(boolean reuseAddress, boolean reusePort, boolean broadcast) {
        this.reuseAddress = reuseAddress;
        this.reusePort = reusePort;
        this.broadcast = broadcast;
    }

    /**
     * No address or port reuse, no broadcast.
     *
     * @return the defaults
     */
    public static DatagramOptions defaults() {
        return DEFAULTS;
    }

    /**
     * With {@code SO_REUSEADDR} set (or not) before binding.
     *
     * @param on whether to set it
     * @return a copy
     */
    public DatagramOptions withReuseAddress(boolean on) {
        return new DatagramOptions(on, reusePort, broadcast);
    }

    /**
     * With {@code SO_REUSEPORT} set (or not) before binding: several sockets may then bind the
     * same address and port, and the kernel spreads datagrams over them.
     *
     * @param on whether to set it
     * @return a copy
     */
    public DatagramOptions withReusePort(boolean on) {
        return new DatagramOptions(reuseAddress, on, broadcast);
    }

    /**
     * With {@code SO_BROADCAST} set (or not): sending to a broadcast address is allowed.
     *
     * @param on whether to set it
     * @return a copy
     */
    public DatagramOptions withBroadcast(boolean on) {
        return new DatagramOptions(reuseAddress, reusePort, on);
    }

    /**
     * @return whether {@code SO_REUSEADDR} is set
     */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /**
     * @return whether {@code SO_REUSEPORT} is set
     */
    public boolean reusePort() {
        return reusePort;
    }

    /**
     * @return whether {@code SO_BROADCAST} is set
     */
    public boolean broadcast() {
        return broadcast;
    }

    @Override
    public String toString() {
        return "DatagramOptions[reuseAddress=" + reuseAddress + ", reusePort=" + reusePort + ", broadcast=" + broadcast + "]";
    }
}
