package dev.hermod.cli;

import java.io.File;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.examples.vm.VmLab;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hermod serve CLASS[=NAME]...}: serves instances of servant classes until interrupted;
 * with no class, serves the VM-management example that {@code hermod demo} runs in-process.
 *
 * <p>Once it listens, it prints where and what it serves: a few lines for a person or, with
 * {@code --json}, one line of JSON, so that a program can read it while the server keeps running.
 * A port it cannot bind (already in use, say) is one line and exit status 1.
 *
 * <p>The command returns when the server terminates: Ctrl-C closes it through a shutdown hook,
 * and code running the command in-process (tests) closes {@link #server()} instead.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve instances of servant classes (or, with none, the VM-management example) until interrupted.")
final class ServeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "CLASS[=NAME]",
            description = "a servant class with a public no-argument constructor that implements one @Remote "
                    + "interface; served as NAME, by default its simple name starting in lower case. "
                    + "With none, serves the VM-management example of 'hermod demo'")
    private List<String> classes = new ArrayList<>();

    @Option(names = "--vms", defaultValue = "100",
            description = "without classes: how many VMs the example serves (default: ${DEFAULT-VALUE})")
    private int vms;

    @Option(names = "--latency", defaultValue = "5", paramLabel = "MS",
            description = "without classes: the simulated backend latency per call, in ms (default: ${DEFAULT-VALUE})")
    private long latencyMillis;

    @Option(names = {"-p", "--port"}, defaultValue = "4061", description = "the port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    private int port;

    @Option(names = "--host", description = "the address to listen on (default: all interfaces)")
    private String host;

    @Option(names = "--admin", paramLabel = "PORT",
            description = "serve the live admin page (and its JSON) on this loopback port; 0 picks a free one")
    private Integer admin;

    @Option(names = {"--cp", "--classpath"}, paramLabel = "PATH",
            description = "directories and jars to load the servant classes from, separated by '${sys:path.separator}'")
    private String classpath;

    @Option(names = "--json", description = "once listening, print one line of JSON saying where and what is served")
    private boolean json;

    @Mixin
    private VerboseOption verbose;

    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Server server;

    /** Waits until the server listens; returns it, or null if it did not start in time. */
    Server awaitStarted(Duration timeout) throws InterruptedException {
        started.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return server;
    }

    /** Returns the running server, or null before it starts. */
    Server server() {
        return server;
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535: " + port);
        }
        if (classes.isEmpty()) {
            return serveVmLab();
        }
        ClassLoader loader = loader();
        Server.Builder builder = Hermod.server().port(port);
        if (host != null) {
            builder.host(host);
        }
        if (admin != null) {
            builder.admin(admin);
        }
        List<Served> served = new ArrayList<>();
        for (String spec : classes) {
            int eq = spec.indexOf('=');
            String className = eq < 0 ? spec : spec.substring(0, eq);
            Object servant = instantiate(className, loader);
            String name = eq < 0 ? defaultName(servant.getClass()) : spec.substring(eq + 1);
            try {
                builder.add(name, servant);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            served.add(new Served(name, className, className));
        }
        Server s = listen(builder::start);
        return serveUntilClosed(s, s, served, null);
    }

    /** Serves the VM-management example: the services of {@code hermod demo}. */
    private int serveVmLab() throws InterruptedException {
        if (vms < 1) {
            throw usage("--vms must be at least 1: " + vms);
        }
        if (latencyMillis < 0) {
            throw usage("--latency must not be negative: " + latencyMillis);
        }
        VmLab.Builder lb = VmLab.builder().host(host != null ? host : "0.0.0.0").port(port).vms(vms)
                .latency(Duration.ofMillis(latencyMillis));
        if (admin != null) {
            lb.admin(admin);
        }
        VmLab lab = listen(lb::start);
        List<Served> served = new ArrayList<>();
        for (String service : List.of(VmLab.VMS, VmLab.DISKS, VmLab.NICS, VmLab.PERMISSIONS)) {
            served.add(new Served(service, "VM-management example: " + vms + " VMs, " + latencyMillis + " ms per call",
                    null));
        }
        Map<String, Object> example = new LinkedHashMap<>();
        example.put("vms", vms);
        example.put("latencyMillis", latencyMillis);
        return serveUntilClosed(lab.server(), lab, served, example);
    }

    /** A service being served: its name, what it is for a person, and its servant class, if it has one. */
    private record Served(String name, String description, String className) {}

    /** Starts a server; a port that cannot be bound (already in use, say) is one line, not a stack trace. */
    private <T> T listen(Supplier<T> start) {
        try {
            return start.get();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof BindException bind) {
                String why = bind.getMessage() == null ? "" : bind.getMessage();
                // "cannot listen on /127.0.0.1:4061: bind(..) failed with error(-98): Address already in use"
                // (Netty's native transport names the system call): keep the reason, we name the address.
                String reason = why.substring(why.lastIndexOf(": ") + 1).strip();
                String where = host == null ? "port " + port + " (all interfaces)"
                        : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
                String hint = reason.contains("in use") ? " (--port 0 picks a free port)" : "";
                throw new Failures.CommandFailure("cannot listen on " + where + (reason.isEmpty() ? "" : ": " + reason)
                        + hint, CommandLine.ExitCode.SOFTWARE, e);
            }
            throw e;
        }
    }

    /**
     * Prints where {@code s} listens and what it serves, then serves until it terminates; then
     * closes {@code resources}.
     */
    private int serveUntilClosed(Server s, AutoCloseable resources, List<Served> served, Map<String, Object> example)
            throws InterruptedException {
        Thread hook = new Thread(() -> closeQuietly(resources), "hermod-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server = s;
        PrintWriter out = spec.commandLine().getOut();
        boolean allInterfaces = s.address().getAddress().isAnyLocalAddress();
        String target = "tcp://" + (allInterfaces ? "localhost" : s.address().getHostString()) + ":" + s.port();
        if (json) {
            // One line, so that a program reading the output of a server that keeps running can take it as it comes.
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("target", target);
            report.put("host", s.address().getAddress().getHostAddress());
            report.put("port", s.port());
            report.put("allInterfaces", allInterfaces);
            if (example != null) {
                report.put("example", example);
            }
            List<Map<String, Object>> services = new ArrayList<>();
            for (Served x : served) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", x.name());
                if (x.className() != null) {
                    m.put("class", x.className());
                }
                services.add(m);
            }
            report.put("services", services);
            s.adminAddress().ifPresent(a -> report.put("admin", "http://127.0.0.1:" + a.getPort() + "/"));
            out.println(Json.write(report, false));
        } else {
            out.println("listening on " + target + (allInterfaces ? " (all interfaces)" : ""));
            for (Served x : served) {
                out.println("  service " + x.name() + "  (" + x.description() + ")");
            }
            s.adminAddress().ifPresent(a -> out.println("admin page on http://127.0.0.1:" + a.getPort() + "/"));
        }
        out.flush();
        started.countDown();
        try {
            while (!s.awaitTermination(Duration.ofHours(1))) {
                // serve until closed
            }
        } finally {
            closeQuietly(resources);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException jvmShuttingDown) {
                // the hook is running or has run
            }
        }
        return 0;
    }

    private static void closeQuietly(AutoCloseable resources) {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the server failed", e);
        }
    }

    private ClassLoader loader() {
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        if (parent == null) {
            parent = ServeCommand.class.getClassLoader();
        }
        if (classpath == null || classpath.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            File f = new File(entry);
            if (!f.exists()) {
                throw usage("no such class path entry: " + entry);
            }
            try {
                urls.add(f.toURI().toURL());
            } catch (MalformedURLException e) {
                throw usage("bad class path entry " + entry + ": " + e.getMessage());
            }
        }
        // Lives as long as the servants it loaded, which is the life of the command.
        return new URLClassLoader(urls.toArray(new URL[0]), parent);
    }

    private Object instantiate(String className, ClassLoader loader) throws Exception {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw usage("no class " + className + " on the class path (add it with --classpath)");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw usage(className + " has no public no-argument constructor");
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } catch (ReflectiveOperationException e) {
            throw usage("cannot create " + className + ": " + e);
        }
    }

    /** {@code EmployeesImpl} is served as {@code employeesImpl}. */
    static String defaultName(Class<?> type) {
        String simple = type.getSimpleName();
        return simple.isEmpty() ? type.getName() : Character.toLowerCase(simple.charAt(0)) + simple.substring(1);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
