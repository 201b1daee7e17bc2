package org.asyncio4j.test;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.util.List;

import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs fixture classes (static nested classes of the tests, which Surefire and JUnit do not run
 * by themselves) through the JUnit Platform, as a build tool would, and reads the outcomes.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** The test events of running every test of {@code fixture}. */
    static Events run(Class<?> fixture) {
        return execute(selectClass(fixture));
    }

    /** The test events of running one no-argument method of {@code fixture}. */
    static Events run(Class<?> fixture, String method) {
        return execute(selectMethod(fixture, method));
    }

    private static Events execute(DiscoverySelector selector) {
        return EngineTestKit.engine("junit-jupiter").selectors(selector).execute().testEvents();
    }

    /** What each failed test threw, in the order they finished. */
    static List<Throwable> failures(Events events) {
        return events.failed().stream().map(Fixtures::thrown).toList();
    }

    /** What the only test threw; fails unless exactly one test ran and it failed. */
    static Throwable onlyFailure(Events events) {
        events.assertStatistics(s -> s.started(1).failed(1));
        return failures(events).get(0);
    }

    /** Fails unless every test started passed, and returns how many did. */
    static long allPassed(Events events) {
        List<Throwable> failed = failures(events);
        if (!failed.isEmpty()) {
            AssertionError e = new AssertionError("a fixture failed: " + failed.get(0), failed.get(0));
            failed.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        events.assertStatistics(s -> s.failed(0).aborted(0));
        return events.succeeded().count();
    }

    private static Throwable thrown(Event e) {
        return e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                .orElseThrow(() -> new AssertionError("a failed event without a throwable: " + e));
    }
}
