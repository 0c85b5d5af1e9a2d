package dev.hermod.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every Java snippet of README.md and docs/GUIDE.md, with Hermod's annotation processor,
 * so that the documentation cannot drift from the API.
 *
 * <p>Each {@code ```java} block must follow an HTML comment saying how it is compiled:
 * <ul>
 *   <li>{@code <!-- snippet: file -->}: a whole source file, placed by its {@code package} and
 *       first public type;
 *   <li>{@code <!-- snippet: in NAME -->}: statements, compiled as the body of a method of a
 *       class that gives them the variables and methods of context NAME (below);
 *   <li>{@code <!-- snippet: skip REASON -->}: not compiled (a block that is not Java source).
 * </ul>
 * A block without such a comment fails the test. All the blocks of one document are compiled
 * together, so later snippets use the types of earlier ones, as a reader does.
 */
final class SnippetsTest {
    private static final Pattern FENCE = Pattern.compile("^```java\\s*$");
    private static final Pattern MARKER = Pattern.compile("^<!-- snippet: (file|in [\\w-]+|skip .+) -->$");

    /** What each context gives its statements; %s is the statements. */
    private static final Map<String, String> CONTEXTS = Map.ofEntries(
            // README: a client of the Quick start's server, as its snippets assume
            Map.entry("client", """
                    import com.example.*;
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import java.time.Duration;
                    import java.util.concurrent.atomic.AtomicInteger;
                    abstract class %s {
                        Client client;
                        Employees employees;
                        org.slf4j.Logger log;
                        AtomicInteger inFlight;
                        abstract void show(String text);
                        void run() throws Exception {
                    %s
                        }
                    }
                    """),
            // README: a client of the Consoles contract of the Streams section
            Map.entry("consoles", """
                    import com.example.vm.*;
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import java.util.concurrent.Flow;
                    import java.util.stream.Stream;
                    abstract class %s {
                        Client client;
                        Flow.Subscriber<String> subscriber;
                        void run() throws Exception {
                    %s
                        }
                    }
                    """),
            // README: the Consoles client of the Streams section, with Reactor
            Map.entry("consoles-reactor", """
                    import com.example.vm.*;
                    import dev.hermod.*;
                    import java.util.List;
                    import java.util.concurrent.SubmissionPublisher;
                    import org.reactivestreams.FlowAdapters;
                    import reactor.core.publisher.Flux;
                    abstract class %s {
                        Client client;
                        Consoles consoles;
                        List<byte[]> chunks;
                        void run() throws Exception {
                    %s
                        }
                    }
                    """),
            // README: the events of hermod-examples' file monitor (dev.hermod.examples.events)
            // README: contract declarations, as members of a class (they are top-level in hermod-examples)
            Map.entry("file-monitor-types", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import dev.hermod.examples.events.FileMonitor;
                    import dev.hermod.examples.events.FileStat;
                    abstract class %s {
                    %s
                    }
                    """),
            Map.entry("file-monitor", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import dev.hermod.examples.events.*;
                    abstract class %s {
                        FileMonitors monitors;
                        void client() throws Exception {
                    %s
                        }
                    }
                    """),
            Map.entry("resubscribe", """
                    import dev.hermod.*;
                    import dev.hermod.connection.*;
                    import dev.hermod.examples.vm.*;
                    import java.util.List;
                    abstract class %s {
                        Vms vms;
                        VmEvents listener;
                        void client() throws Exception {
                    %s
                        }
                    }
                    """),
            Map.entry("file-monitor-server", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import dev.hermod.examples.events.*;
                    abstract class %s {
                        void serve(FileListener listener, String path, FileStat last, FileStat now) throws Exception {
                    %s
                        }
                    }
                    """),
            // README: a log service with a two-way count, for batches
            Map.entry("log", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import java.util.List;
                    import snippets.LogAsync;
                    abstract class %s {
                        Client client;
                        List<String> lines;
                        void run() throws Exception {
                    %s
                        }
                    }
                    """),
            // README: answering later; the contract as members of a class (snippets.FetchService is the same)
            Map.entry("fetch-contract", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    abstract class %s {
                        public static class NoSuchItem extends Exception {
                            public NoSuchItem(String message) { super(message); }
                        }
                    %s
                    }
                    """),
            Map.entry("fetch-client", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import snippets.*;
                    abstract class %s {
                        Client client;
                        void run() throws Exception {
                    %s
                        }
                    }
                    """),
            Map.entry("fetch-servant", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import java.util.concurrent.CompletableFuture;
                    import java.util.concurrent.CompletionStage;
                    import snippets.*;
                    abstract class %s {
                        interface Store { CompletableFuture<byte[]> readAsync(int item); }
                        Store store;
                    %s
                    }
                    """),
            Map.entry("fetch-server", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import snippets.*;
                    abstract class %s {
                        static class StoreFetch implements FetchServiceAsyncServant {   // as the snippet before
                            public java.util.concurrent.CompletionStage<byte[]> fetch(int item) { return null; }
                        }
                        void run() throws Exception {
                    %s
                        }
                    }
                    """),
            // GUIDE: the asynchronous companion of the guide's contract
            Map.entry("guide-async", """
                    import com.example.stock.*;
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import java.time.Duration;
                    import java.util.ArrayList;
                    import java.util.List;
                    import java.util.concurrent.TimeUnit;
                    abstract class %s {
                        Client client;
                        InventoryAsync async;
                        void run() throws Exception {
                    %s
                        }
                    }
                    """),
            // README: the Ice file transfer of hermod-examples (dev.hermod.examples.transfer)
            Map.entry("transfer", """
                    import dev.hermod.*;
                    import dev.hermod.intercept.*;
                    import dev.hermod.flow.*;
                    import dev.hermod.health.*;
                    import dev.hermod.connection.*;
                    import dev.hermod.examples.transfer.FileTransferAsync;
                    import java.time.Duration;
                    abstract class %s {
                        static final int CHUNK = 64 * 1024;
                        FileTransferAsync files;   // the generated async companion
                        long size;
                        abstract byte[] read(long offset);
                        void run() throws Exception {
                    %s
                        }
                    }
                    """));

    /** Contracts the snippets assume and no snippet shows, added to every compilation. */
    private static final Map<String, String> ASSUMED = Map.of(
            "snippets/FetchService.java", """
                    package snippets;
                    @dev.hermod.Remote
                    public interface FetchService {
                        byte[] fetch(int item) throws NoSuchItem;
                    }
                    """,
            "snippets/NoSuchItem.java", """
                    package snippets;
                    public class NoSuchItem extends Exception {
                        public NoSuchItem(String message) { super(message); }
                        public NoSuchItem(int item) { super("no item " + item); }
                    }
                    """,
            "snippets/Machines.java", """
                    package snippets;
                    @dev.hermod.Remote
                    public interface Machines {
                        Machine find(String name);
                    }
                    """,
            "snippets/Machine.java", """
                    package snippets;
                    @dev.hermod.Remote
                    public interface Machine {
                        Volumes volumes();
                    }
                    """,
            "snippets/Volumes.java", """
                    package snippets;
                    @dev.hermod.Remote
                    public interface Volumes {
                        java.util.List<String> list();
                    }
                    """,
            "snippets/Log.java", """
                    package snippets;
                    @dev.hermod.Remote
                    public interface Log {
                        void append(String line);
                        int count();
                    }
                    """);

    @TempDir
    Path dir;

    @Test
    void readme_everyJavaSnippetCompiles() throws IOException {
        assertThat(compile(Path.of("..", "README.md"))).isGreaterThanOrEqualTo(10);
    }

    @Test
    void guide_everyJavaSnippetCompiles_andItsLastProgramRuns() throws Exception {
        assertThat(compile(Path.of("..", "docs", "GUIDE.md"))).isGreaterThanOrEqualTo(10);

        // StockDemo: a server and three clients on loopback; it throws if a client misses an event.
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = System.out;
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(
                new java.net.URL[] {dir.resolve("classes").toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass("com.example.stock.StockDemo").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("client 2 saw [item-0=1, item-0=2, item-1=1, item-1=2, item-2=1, item-2=2]")
                .contains("the same order everywhere: true");
    }

    /** A snippet read from a document. */
    record Snippet(int line, String marker, String code) {}

    static List<Snippet> snippets(List<String> lines, String document) {
        List<Snippet> found = new ArrayList<>();
        List<String> unmarked = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!FENCE.matcher(lines.get(i)).matches()) {
                continue;
            }
            int before = i - 1;
            while (before >= 0 && lines.get(before).isBlank()) {
                before--;
            }
            Matcher m = before < 0 ? null : MARKER.matcher(lines.get(before).strip());
            StringBuilder code = new StringBuilder();
            int j = i + 1;
            while (j < lines.size() && !lines.get(j).startsWith("```")) {
                code.append(lines.get(j)).append('\n');
                j++;
            }
            if (m == null || !m.matches()) {
                unmarked.add(document + ":" + (i + 1));
            } else {
                found.add(new Snippet(i + 1, m.group(1), code.toString()));
            }
            i = j;
        }
        assertThat(unmarked).as("```java blocks without a <!-- snippet: ... --> comment before them").isEmpty();
        return found;
    }

    /** Compiles the snippets of one document; returns how many were compiled. */
    private int compile(Path document) throws IOException {
        List<Snippet> snippets = snippets(Files.readAllLines(document, StandardCharsets.UTF_8), document.toString());
        Path src = Files.createDirectories(dir.resolve("src"));
        List<File> files = new ArrayList<>();
        for (Map.Entry<String, String> assumed : ASSUMED.entrySet()) {
            Path file = src.resolve(assumed.getKey());
            Files.createDirectories(file.getParent());
            files.add(Files.writeString(file, assumed.getValue()).toFile());
        }
        int compiled = 0;
        for (Snippet s : snippets) {
            if (s.marker().startsWith("skip ")) {
                continue;
            }
            compiled++;
            Path file;
            if (s.marker().equals("file")) {
                Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(s.code());
                Matcher type = Pattern.compile("(?m)^public (?:final |abstract |sealed )*(?:class|interface|record|enum)"
                        + " (\\w+)").matcher(s.code());
                assertThat(type.find()).as("a public type in the snippet at line " + s.line()).isTrue();
                Path folder = pkg.find() ? src.resolve(pkg.group(1).replace('.', '/')) : src;
                file = Files.createDirectories(folder).resolve(type.group(1) + ".java");
                assertThat(file).as("two snippets define " + file.getFileName()).doesNotExist();
                Files.writeString(file, s.code());
            } else {
                String context = s.marker().substring("in ".length());
                String template = CONTEXTS.get(context);
                assertThat(template).as("context " + context + " of the snippet at line " + s.line()).isNotNull();
                String name = "Snippet" + s.line();
                file = src.resolve(name + ".java");
                Files.writeString(file, String.format(template, name, s.code().indent(8)));
            }
            files.add(file.toFile());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        String classpath = System.getProperty("java.class.path");
        List<String> options = List.of("-d", Files.createDirectories(dir.resolve("classes")).toString(),
                "-classpath", classpath, "-processorpath", classpath, "-parameters",
                "-s", Files.createDirectories(dir.resolve("generated")).toString(), "-Xlint:none");
        try (var fm = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(diagnostics, fm, null, options, null, fm.getJavaFileObjectsFromFiles(files))
                    .call();
            assertThat(ok).as(document + " snippets do not compile:\n" + diagnostics).isTrue();
        }
        return compiled;
    }
}
