package org.asyncio4j.internal;

import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Makes name resolution cooperative: installed through {@code ServiceLoader} (the module's
 * {@code provides} clause, and {@code META-INF/services} on the class path), it gives the JDK a
 * {@link CooperativeResolver} over the built-in resolver, so {@code InetAddress.getByName},
 * {@code new Socket(host, port)}, {@code HttpClient} and JDBC URLs with host names park a task
 * instead of stalling its loop. Lookups from other threads are the built-in resolver's, unchanged.
 *
 * <h2>An application's own provider</h2>
 * The JDK loads one provider per process, on the first lookup: the first that {@code
 * ServiceLoader.load(InetAddressResolverProvider.class)} finds (named modules first, then the class
 * path in order), and none when {@code -Djdk.net.hosts.file} is set. If that is the application's
 * provider, ours is never asked. If it is ours, {@link #get} looks, in the same {@code ServiceLoader}
 * view, for the next provider that is not this class, and if there is one returns <em>its</em>
 * resolver, unwrapped: the application's resolver is used as it wrote it (one written over Java
 * sockets is cooperative inside a task anyway; one that blocks in native code stalls the loop, as
 * without asyncio4j). An application's provider that fails to load fails as it would have had
 * the JDK found it first. No recursion: the JDK answers lookups made while providers load with
 * its built-in resolver, and a provider that steps aside the same way and calls ours back gets
 * our resolver (the search runs once per thread at a time).
 */
public final class CooperativeResolverProvider extends InetAddressResolverProvider {
    private static final ThreadLocal<Boolean> SEARCHING = new ThreadLocal<>();

    /** Called by {@code ServiceLoader}. */
    public CooperativeResolverProvider() {
    }

    /**
     * The application's provider's resolver if there is one (see the class comment), else a
     * {@link CooperativeResolver} over the built-in resolver.
     *
     * @throws java.util.ServiceConfigurationError if an application provider cannot be loaded
     */
    @Override
    public InetAddressResolver get(Configuration configuration) {
        if (SEARCHING.get() == null) {
            SEARCHING.set(Boolean.TRUE);
            try {
                Iterator<ServiceLoader.Provider<InetAddressResolverProvider>> all =
                        ServiceLoader.load(InetAddressResolverProvider.class).stream().iterator();
                while (all.hasNext()) {
                    ServiceLoader.Provider<InetAddressResolverProvider> p = all.next();
                    if (!p.type().getName().equals(CooperativeResolverProvider.class.getName())) {
                        return p.get().get(configuration);
                    }
                }
            } finally {
                SEARCHING.remove();
            }
        }
        return new CooperativeResolver(configuration.builtinResolver());
    }

    /** {@return a name that says what this provider does} */
    @Override
    public String name() {
        return "asyncio4j cooperative resolver (the JDK's built-in one; lookups from tasks run off the loop)";
    }
}
