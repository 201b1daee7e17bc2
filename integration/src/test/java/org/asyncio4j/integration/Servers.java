package org.asyncio4j.integration;

/**
 * Where the throwaway servers of {@code .ci/servers start} listen, read from the environment
 * ({@code ./dev it} exports the env file it writes) or from system properties of the same names.
 * A missing value fails the test with one line naming it and the command that provides it.
 */
final class Servers {
    private Servers() {}

    /** The JDBC URL of the throwaway PostgreSQL (user postgres, trust auth). */
    static String pgUrl() {
        return need("ASYNCIO4J_PG_URL");
    }

    static String redisHost() {
        return need("ASYNCIO4J_REDIS_HOST");
    }

    static int redisPort() {
        return Integer.parseInt(need("ASYNCIO4J_REDIS_PORT"));
    }

    private static String need(String name) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("integration servers missing: " + name + " is not set;"
                    + " run ./dev it (it starts PostgreSQL and Redis with .ci/servers)");
        }
        return v;
    }
}
