package org.asyncio4j.internal;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;

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
    private static final ThreadPoolExecutor WORKER = DaemonWorker.create("asyncio4j-jmx");
    private static final int PENDING = 0, REGISTERED = 1, CLOSED = 2;

    static {
        Jfr.setLagSource(new Runnable() {            // not a lambda: see DaemonWorker
            @Override
            public void run() {
                emitLag();
            }
        });
    }

    private LoopRegistry() {
    }

    /** A loop runs for the first time (its thread): enters the registry, MBean to follow if {@code jmx}. */
    static Entry opened(EventLoopImpl loop, boolean jmx) {
        Entry e = new Entry(loop);
        OPEN.add(e);
        if (jmx) {
            WORKER.execute(e);
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

    /** One open loop's registration; as a Runnable, the worker's part of it. */
    static final class Entry implements Runnable {
        final String name;
        final WeakReference<EventLoopImpl> loop;
        private int state = PENDING;
        private MBeanServer server;        // set with objectName when registered (the worker)
        private ObjectName objectName;

        Entry(EventLoopImpl loop) {
            this.name = loop.name();
            this.loop = new WeakReference<>(loop);
        }

        /** The worker's part: registers the MBean unless the loop closed first. */
        @Override
        public void run() {
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
                ObjectName on = objectName(name);
                try {
                    s.registerMBean(new LoopMBean(name, loop), on);
                    server = s;
                    objectName = on;
                    state = REGISTERED;
                } catch (JMException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not register the JMX MBean " + on + " of " + l, e);
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
