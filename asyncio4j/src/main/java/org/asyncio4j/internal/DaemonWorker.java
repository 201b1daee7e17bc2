package org.asyncio4j.internal;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon platform thread, started on the first task and ended after 5 idle seconds, that
 * runs tasks in order: the JMX registrations ({@code asyncio4j-jmx}) and the JFR commits of
 * events that arise on a loop's thread ({@code asyncio4j-jfr}). A class rather than a lambda:
 * it is made while the first loop starts, where a lambda's first bootstrap costs milliseconds.
 */
public final class DaemonWorker implements ThreadFactory {
    private final String name;

    private DaemonWorker(String name) {
        this.name = name;
    }

    /** An executor of one daemon thread named {@code name}, made when first needed. */
    public static ThreadPoolExecutor create(String name) {
        return new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), new DaemonWorker(name));
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
