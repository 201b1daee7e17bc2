package org.asyncio4j;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes event loops for a test and closes them after it (a loop left running is left alone).
 * Register it as a field: {@code @RegisterExtension final ClosingLoops loops = new ClosingLoops();}.
 */
public final class ClosingLoops implements AfterEachCallback {
    private final List<EventLoop> loops = new ArrayList<>();

    /** A new loop on the real clock. */
    public EventLoop newLoop() {
        return track(Asyncio.newEventLoop());
    }

    /** A new loop on the virtual clock. */
    public EventLoop newVirtualClockLoop() {
        return track(new Runner(TestLoops.VC).getLoop());
    }

    private EventLoop track(EventLoop l) {
        loops.add(l);
        return l;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (EventLoop l : loops) {
            if (!l.isRunning()) {
                l.close();
            }
        }
        loops.clear();
    }
}
