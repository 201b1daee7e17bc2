package org.asyncio4j.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A cancellation of a pending task was requested: which task, who asked and where (the
 * {@code stack} field: the requester's frames when the request reached the task). The asker is
 * a task ({@code by} names it), or a callback on the loop's thread (a timeout's timer, a
 * {@code cancel} forwarded from another thread, the shutdown of {@code run}: {@code by} names
 * the loop's thread).
 */
@Name("org.asyncio4j.TaskCancelled")
@Label("Task Cancelled")
@Category("asyncio4j")
@Description("Someone asked an asyncio4j task to cancel: which task, who asked, and (the stack trace) where")
@Enabled(false)
@StackTrace(false)
final class TaskCancelledEvent extends jdk.jfr.Event {
    @Label("Task")
    String task;

    @Label("By")
    @Description("The task that asked, or the thread if no task did")
    String by;

    @Label("Message")
    String message;

    @Label("Loop")
    String loop;

    @Label("Stack")
    @Description("Where the cancellation was requested")
    String stack;
}
