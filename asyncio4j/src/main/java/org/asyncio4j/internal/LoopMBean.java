package org.asyncio4j.internal;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.ReflectionException;

import org.asyncio4j.LoopStatistics;

/**
 * A loop's JMX MBean ({@code org.asyncio4j:type=EventLoop,name=loop-N}): its statistics as
 * read-only attributes, and the task dump as two operations. A {@link DynamicMBean}, so the JMX
 * server reflects on no class of ours (the package is not exported). Called on JMX threads:
 * the attributes are {@link org.asyncio4j.EventLoop#statistics()}'s racy reads, the dumps ask
 * the loop itself ({@link EventLoopImpl#dumpTasksFromAnyThread}).
 */
final class LoopMBean implements DynamicMBean {
    /** How long a dump operation waits for a busy loop to answer. */
    static final Duration DUMP_TIMEOUT = Duration.ofSeconds(5);

    private record Attr(String name, String type, String description, Function<View, Object> read) {
    }

    /** What the attributes read: the loop and one statistics snapshot. */
    private record View(EventLoopImpl loop, LoopStatistics stats) {
    }

    private static final List<Attr> ATTRS = List.of(
            new Attr("Name", "java.lang.String", "the loop's name", v -> v.loop.name()),
            new Attr("Running", "boolean", "whether the loop runs now", v -> v.loop.isRunning()),
            new Attr("Thread", "java.lang.String", "the thread running the loop, empty while idle", v -> {
                Thread t = v.loop.owner();
                return t == null ? "" : t.getName();
            }),
            new Attr("Debug", "boolean", "whether debug mode is on", v -> v.loop.getDebug()),
            new Attr("Tasks", "int", "live tasks", v -> v.stats.tasks()),
            new Attr("Ready", "int", "ready entries (callbacks and task steps)", v -> v.stats.ready()),
            new Attr("Timers", "int", "pending timers", v -> v.stats.timers()),
            new Attr("IoWaiters", "int", "channels waited for", v -> v.stats.ioWaiters()),
            new Attr("Iterations", "long", "turns of the loop", v -> v.stats.iterations()),
            new Attr("Steps", "long", "task steps run", v -> v.stats.steps()),
            new Attr("Callbacks", "long", "callbacks run", v -> v.stats.callbacks()),
            new Attr("LongestStepNanos", "long",
                    "the longest timed step, in ns (steps are timed in debug mode or while JFR's SlowStep is on)",
                    v -> v.stats.longestStep().toNanos()),
            new Attr("LongestStepTask", "java.lang.String", "the task (or callback) of the longest timed step",
                    v -> v.stats.longestStepTask()),
            new Attr("LagNanos", "long", "how late the last timer to fire ran, in ns", v -> v.stats.lag().toNanos()));

    private final String name;
    private final WeakReference<EventLoopImpl> loop;

    LoopMBean(String name, WeakReference<EventLoopImpl> loop) {
        this.name = name;
        this.loop = loop;
    }

    private EventLoopImpl loop() throws ReflectionException {
        EventLoopImpl l = loop.get();
        if (l == null) {
            throw new ReflectionException(new IllegalStateException("event loop " + name + " was collected"));
        }
        return l;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException, ReflectionException {
        EventLoopImpl l = loop();
        for (Attr a : ATTRS) {
            if (a.name.equals(attribute)) {
                return a.read.apply(new View(l, l.statistics()));
            }
        }
        throw new AttributeNotFoundException("no attribute " + attribute + " on event loop " + name);
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        EventLoopImpl l = loop.get();
        if (l == null) {
            return list;
        }
        View v = new View(l, l.statistics());          // one snapshot for all of them
        for (String name : attributes) {
            for (Attr a : ATTRS) {
                if (a.name.equals(name)) {
                    list.add(new Attribute(name, a.read.apply(v)));
                }
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("the attributes of event loop " + name + " are read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        if (params != null && params.length > 0) {
            throw new ReflectionException(new NoSuchMethodException(actionName + " with parameters"));
        }
        return switch (actionName) {
            case "dumpTasks" -> loop().dumpTasksFromAnyThread(DUMP_TIMEOUT, TaskDump.Part.TABLE);
            case "dumpTaskTree" -> loop().dumpTasksFromAnyThread(DUMP_TIMEOUT, TaskDump.Part.TREE);
            default -> throw new ReflectionException(new NoSuchMethodException(actionName));
        };
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        List<MBeanAttributeInfo> attrs = new ArrayList<>();
        for (Attr a : ATTRS) {
            attrs.add(new MBeanAttributeInfo(a.name, a.type, a.description, true, false, false));
        }
        MBeanOperationInfo[] ops = {
            new MBeanOperationInfo("dumpTasks", "every live task: name, state, what it awaits, its stack (a table)",
                    new MBeanParameterInfo[0], "java.lang.String", MBeanOperationInfo.INFO),
            new MBeanOperationInfo("dumpTaskTree", "the live tasks as a tree from the root tasks down, by who awaits whom",
                    new MBeanParameterInfo[0], "java.lang.String", MBeanOperationInfo.INFO),
        };
        return new MBeanInfo(LoopMBean.class.getName(), "asyncio4j event loop " + name,
                attrs.toArray(new MBeanAttributeInfo[0]), null, ops, null);
    }
}
