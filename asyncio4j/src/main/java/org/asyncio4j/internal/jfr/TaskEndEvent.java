package org.asyncio4j.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A task ended; the event's duration is the task's life, from {@code createTask} to its end.
 * Only tasks created while the event is enabled are reported (the start is taken at creation).
 * Committed on the task's own thread, so the event thread is the task's virtual thread.
 */
@Name("org.asyncio4j.TaskEnd")
@Label("Task End")
@Category("asyncio4j")
@Description("An asyncio4j task ended: its name, how it ended, and its life from creation to end as the duration")
@Enabled(false)
@StackTrace(false)
final class TaskEndEvent extends jdk.jfr.Event {
    @Label("Task")
    String name;

    @Label("Outcome")
    @Description("result, exception or cancelled")
    String outcome;

    @Label("Exception")
    @Description("The class of the exception the task ended with, if it failed")
    String exception;

    @Label("Loop")
    String loop;
}
