package org.asyncio4j.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A task step or callback held its loop at least the loop's slow-callback duration
 * ({@code EventLoop.setSlowCallbackDuration}, 100 ms by default); the event's duration is the
 * step's. Emitted whenever a recording enables it, debug mode or not. JFR's own stack trace
 * would show the loop thread, so the task's stack is a field instead.
 */
@Name("org.asyncio4j.SlowStep")
@Label("Slow Step")
@Category("asyncio4j")
@Description("A task step or callback held its event loop longer than the loop's slow-callback duration")
@Enabled(false)
@StackTrace(false)
final class SlowStepEvent extends jdk.jfr.Event {
    @Label("Task")
    @Description("The task whose step it was, or the callback's description")
    String task;

    @Label("Stack")
    @Description("Where the task was: the stack sampled while it held the loop, else (a step too short to sample) where it suspended, if the task is parked")
    String stack;

    @Label("Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;

    @Label("Loop")
    String loop;
}
