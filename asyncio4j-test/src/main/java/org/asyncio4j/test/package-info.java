/**
 * Testing asyncio4j code with JUnit Jupiter: {@link org.asyncio4j.test.AsyncioTest} runs a test
 * method as the main task of a fresh event loop on an auto-advancing virtual clock and checks
 * what it leaves behind; {@link org.asyncio4j.test.TestClock} steps that clock by hand;
 * {@link org.asyncio4j.test.Order} pins an interleaving of tasks.
 *
 * <p>Python: pytest-asyncio, trio.testing (kotlinx-coroutines-test).
 */
package org.asyncio4j.test;
