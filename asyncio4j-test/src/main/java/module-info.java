/**
 * asyncio4j-test: JUnit Jupiter support for testing asyncio4j code. A method annotated
 * {@link org.asyncio4j.test.AsyncioTest} runs as the main task of a fresh event loop on an
 * auto-advancing virtual clock, and fails with a report when it leaves tasks pending, leaves a
 * failure unread, lets an exception reach the loop's handler, or passes its real-time limit.
 *
 * <p>Runs, like asyncio4j, in the fast mode with {@code --add-opens
 * java.base/java.lang=org.asyncio4j} on the module path ({@code =ALL-UNNAMED} on the class
 * path), else in the portable mode ({@link org.asyncio4j.CarrierMode}).
 */
module org.asyncio4j.test {
    requires transitive org.asyncio4j;
    requires transitive org.junit.jupiter.api;

    exports org.asyncio4j.test;
}
