import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

/**
 * {@code ./dev ps PID} and {@code ./dev pstree PID}: the asyncio4j event loops of another JVM
 * and their tasks, as a table or as a tree (Python 3.14's {@code python -m asyncio ps PID} and
 * {@code pstree PID}). A single-file program for the JDK's source launcher, JDK modules only:
 * {@code java tools/Ps.java ps|pstree PID}.
 *
 * <p>How: the JDK's attach API starts the target's local JMX agent
 * ({@code VirtualMachine.startLocalManagementAgent()}, the way {@code jcmd} and JConsole reach a
 * local JVM), then every MBean {@code org.asyncio4j:type=EventLoop,name=*} (one per loop that has
 * run and is not closed, unless it runs with {@code RunOptions.withJmx(false)}) gives its
 * statistics and its task dump: {@code dumpTasks} for ps, {@code dumpTaskTree} for pstree.
 *
 * <p>Exit status: 0 with at least one loop printed; 1 with one line on stderr when there is no
 * such process, no attach (another user, {@code -XX:+DisableAttachMechanism}, not a HotSpot JVM)
 * or no loop; 2 for a bad command line.
 */
public final class Ps {
    private static final String QUERY = "org.asyncio4j:type=EventLoop,*";

    private Ps() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The whole program: what it prints goes to {@code out} and {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2 || !(args[0].equals("ps") || args[0].equals("pstree")) || !args[1].matches("\\d+")) {
            err.println("usage: ./dev ps PID | ./dev pstree PID   (java tools/Ps.java ps|pstree PID)");
            return 2;
        }
        boolean tree = args[0].equals("pstree");
        String pid = args[1];
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(pid));
        if (process.isEmpty() || !process.get().isAlive()) {
            err.println("ps: no such process: " + pid);
            return 1;
        }
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
        } catch (AttachNotSupportedException | IOException e) {
            err.println("ps: cannot attach to process " + pid + ": attach refused (it is not a JVM, runs as another"
                    + " user, or was started with -XX:+DisableAttachMechanism): " + oneLine(e));
            return 1;
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            List<ObjectName> loops = sorted(server.queryNames(new ObjectName(QUERY), null));
            if (loops.isEmpty()) {
                err.println("ps: no asyncio4j event loop in JVM " + pid + " (a loop shows once it has run and until"
                        + " it closes, unless it runs with RunOptions.withJmx(false))");
                return 1;
            }
            for (int i = 0; i < loops.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                print(server, loops.get(i), tree, out);
            }
            return 0;
        } catch (Exception e) {
            err.println("ps: lost the JMX connection to process " + pid + ": " + oneLine(e));
            return 1;
        }
    }

    /**
     * One loop: a line with the figures the dump's own heading lacks (its lag, steps, callbacks,
     * I/O waiters), then the dump: its heading (tasks, ready, timers, loop time) and the table or tree.
     */
    private static void print(MBeanServerConnection server, ObjectName loop, boolean tree, PrintStream out)
            throws Exception {
        String thread = (String) server.getAttribute(loop, "Thread");
        boolean running = (Boolean) server.getAttribute(loop, "Running");
        out.printf(Locale.ROOT, "%s (%s%s): lag %.1f ms, %d steps, %d callbacks, %d I/O waiters%n",
                loop.getKeyProperty("name"), running ? "running in thread " : "idle",
                running ? "'" + thread + "'" : "", (Long) server.getAttribute(loop, "LagNanos") / 1e6,
                (Long) server.getAttribute(loop, "Steps"), (Long) server.getAttribute(loop, "Callbacks"),
                (Integer) server.getAttribute(loop, "IoWaiters"));
        String dump = (String) server.invoke(loop, tree ? "dumpTaskTree" : "dumpTasks", null, null);
        out.print(dump.endsWith("\n") ? dump : dump + "\n");
    }

    /** Loops in the order they were made (loop-2 before loop-10). */
    private static List<ObjectName> sorted(Set<ObjectName> names) {
        List<ObjectName> list = new ArrayList<>(names);
        list.sort((a, b) -> {
            String x = a.getKeyProperty("name"), y = b.getKeyProperty("name");
            return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
        });
        return list;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
