package org.asyncio4j.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** Periodic (every second unless the recording says otherwise): each open loop's lag and load. */
@Name("org.asyncio4j.LoopLag")
@Label("Loop Lag")
@Category("asyncio4j")
@Description("How late the last timer of an asyncio4j event loop ran, with its live tasks and ready entries")
@Enabled(false)
@StackTrace(false)
@Period("1 s")
final class LoopLagEvent extends jdk.jfr.Event {
    @Label("Loop")
    String loop;

    @Label("Lag")
    @Description("How late the last timer to fire ran (EventLoop.statistics().lag())")
    @Timespan(Timespan.NANOSECONDS)
    long lag;

    @Label("Tasks")
    int tasks;

    @Label("Ready")
    int ready;
}
