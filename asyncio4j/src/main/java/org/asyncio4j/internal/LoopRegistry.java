package org.asyncio4j.internal;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.asyncio4j.LoopStatistics;
import org.asyncio4j.internal.jfr.Jfr;

/**
 * The loops that have run and are not closed: each one's JMX MBean
 * ({@code org.asyncio4j:type=EventLoop,name=loop-N}) and the periodic JFR {@code LoopLag} event.
 *
 * <h2>Implementation overview</h2>
 * A loop enters at its first run ({@link #opened}) and leaves at {@link Entry#close()} (its
 * {@code close()}). The MBean is registered by one background daemon thread, never by the loop:
 * the first registration in a JVM starts the platform MBean server, 0.2 to 0.3 s of class
 * loading that no loop should wait for. So an MBean appears shortly after its loop's first run;
 * a loop closed before then is never registered. Unregistration is done by the closing thread,
 * so once {@code close()} returns the MBean is gone. Per entry, under its monitor:
 * <pre>
 *   PENDING --worker registers--> REGISTERED --close: unregister--> CLOSED
 *   PENDING --close--------------------------------------------------> CLOSED (the worker skips it)
 * </pre>
 * Entries hold their loop weakly: a loop dropped without {@code close()} does not stay
 * reachable through the MBean server; its entry is swept (MBean unregistered) by the next
 * registration or {@code LoopLag} period.
 */
final class LoopRegistry {
    private static final System.Logger LOG = System.getLogger("org.asyncio4j");
    private static final Set<Entry> OPEN = ConcurrentHashMap.newKeySet();
    private static final ThreadPoolExecutor WORKER = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "asyncio4j-jmx");
                t.setDaemon(true);
                return t;
            });
    private static final int PENDING = 0, REGISTERED = 1, CLOSED = 2;

    static {
        Jfr.setLagSource(LoopRegistry::emitLag);
    }

    private LoopRegistry() {
    }

    /** A loop runs for the first time (its thread): enters the registry, MBean to follow if {@code jmx}. */
    static Entry opened(EventLoopImpl loop, boolean jmx) {
        Entry e = new Entry(loop);
        OPEN.add(e);
        if (jmx) {
            WORKER.execute(e::register);
        }
        return e;
    }

    /** The JMX name of a loop's MBean. */
    static ObjectName objectName(String loopName) {
        try {
            return new ObjectName("org.asyncio4j:type=EventLoop,name=" + loopName);
        } catch (JMException e) {
            throw new IllegalArgumentException("not a usable loop name for JMX: " + loopName, e);
        }
    }

    /** The periodic LoopLag hook (a JFR thread, only while the event is enabled). */
    private static void emitLag() {
        for (Entry e : OPEN) {
            EventLoopImpl loop = e.loop.get();
            if (loop == null) {
                e.close();
                continue;
            }
            LoopStatistics s = loop.statistics();
            Jfr.loopLag(e.name, s.lag().toNanos(), s.tasks(), s.ready());
        }
    }

    private static void sweep() {
        for (Entry e : OPEN) {
            if (e.loop.get() == null) {
                e.close();
            }
        }
    }

    /** One open loop's registration. */
    static final class Entry {
        final String name;
        final WeakReference<EventLoopImpl> loop;
        private final ObjectName objectName;
        private int state = PENDING;
        private MBeanServer server;

        Entry(EventLoopImpl loop) {
            this.name = loop.name();
            this.loop = new WeakReference<>(loop);
            this.objectName = objectName(name);
        }

        /** The worker's part: registers the MBean unless the loop closed first. */
        private void register() {
            sweep();
            MBeanServer s;
            try {
                s = ManagementFactory.getPlatformMBeanServer();     // slow the first time: off the loop
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.DEBUG, "no platform MBean server: loop " + name + " has no MBean", t);
                return;
            }
            synchronized (this) {
                EventLoopImpl l = loop.get();
                if (state != PENDING || l == null) {
                    return;
                }
                try {
                    s.registerMBean(new LoopMBean(name, loop), objectName);
                    server = s;
                    state = REGISTERED;
                } catch (JMException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not register the JMX MBean " + objectName
                            + " of " + l, e);
                    state = CLOSED;
                }
            }
        }

        /** The loop closes (or was collected): leaves the registry, its MBean unregistered. */
        void close() {
            OPEN.remove(this);
            synchronized (this) {
                if (state == REGISTERED) {
                    try {
                        server.unregisterMBean(objectName);
                    } catch (JMException e) {
                        LOG.log(System.Logger.Level.DEBUG, "MBean " + objectName + " was already gone", e);
                    }
                }
                state = CLOSED;
            }
        }
    }
}
