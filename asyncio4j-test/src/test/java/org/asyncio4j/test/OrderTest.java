package org.asyncio4j.test;

import static org.asyncio4j.Asyncio.createTask;
import static org.asyncio4j.Asyncio.sleep;
import static org.asyncio4j.test.Fixtures.onlyFailure;
import static org.asyncio4j.test.Fixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** {@link Order}: counting steps, and failing the test that breaks the sequence. */
class OrderTest {

    @Test
    void expectAndFinish_inSequence_pass() {
        Order o = new Order();
        o.expect(1);
        o.expect(2);
        o.finish(3);
        assertEquals("Order[steps=3, finished]", o.toString());
    }

    @Test
    void expect_outOfSequence_fails_withExpectedAndActualStep() {
        Order o = new Order();
        o.expect(1);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> o.expect(3));
        assertTrue(e.getMessage().contains("expect(3) ran as step 2"), e.getMessage());
        assertEquals(3, e.getExpected().getValue());
        assertEquals(2, e.getActual().getValue());
        AssertionFailedError later = assertThrows(AssertionFailedError.class, () -> o.expect(3),
                "once broken, every later step fails, even one whose number would match");
        assertTrue(later.getMessage().contains("after an earlier step failed"), later.getMessage());
        assertEquals(e, later.getCause());
        assertThrows(AssertionFailedError.class, () -> o.finish(4));
    }

    @Test
    void expect_afterFinish_fails() {
        Order o = new Order();
        o.finish(1);
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> o.expect(2));
        assertTrue(e.getMessage().contains("after finish(1)"), e.getMessage());
    }

    @AsyncioTest
    void tasks_interleaveAtTheirSuspensionPoints() {
        Order o = new Order();
        createTask(() -> {
            o.expect(2);
            sleep(0);
            o.expect(4);
        });
        o.expect(1);
        sleep(0);
        o.expect(3);
        sleep(0);
        o.finish(5);
    }

    static class Misordered {
        @AsyncioTest
        void aTaskRunsEarlierThanTheTestExpects() {
            Order o = new Order();
            createTask(() -> o.expect(2));
            sleep(0);                        // lets the task run before step 1
            o.expect(1);
        }
    }

    @Test
    void misorderedTest_failsWithTheOrdersMessage() {
        Throwable f = onlyFailure(run(Misordered.class));
        assertTrue(f.getMessage().contains("expect(1) after an earlier step failed")
                && f.getMessage().contains("expect(2) ran as step 1"), f.getMessage());
        // The task's own failed expect(2) was never read: a finding attached to the test's failure.
        assertTrue(Arrays.stream(f.getSuppressed()).anyMatch(s -> s.getMessage().contains("never retrieved")
                && s.getMessage().contains("expect(2) ran as step 1")), Arrays.toString(f.getSuppressed()));
    }
}
