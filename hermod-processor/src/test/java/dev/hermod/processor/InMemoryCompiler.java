package dev.hermod.processor;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.processing.Processor;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Compiles sources held in strings with javac, in memory: generated sources and class files are
 * kept and returned, nothing is written to disk. hermod-core is the only class path entry; the
 * lint and {@code -parameters} options are the ones Hermod's own build uses.
 */
final class InMemoryCompiler {
    private final List<JavaFileObject> sources = new ArrayList<>();
    private final List<Processor> processors = new ArrayList<>();
    private final List<String> options = new ArrayList<>(List.of("-Xlint:all,-processing", "-parameters"));
    private boolean classPath = true;

    /** Compiles pairs of (path, source) with Hermod's processor and hermod-core on the class path. */
    static Result withProcessor(String... pathsAndSources) {
        return of(pathsAndSources).processor(new RemoteProcessor()).compile();
    }

    /** A compiler for pairs of (path, source), with hermod-core on the class path and no processor. */
    static InMemoryCompiler of(String... pathsAndSources) {
        InMemoryCompiler compiler = new InMemoryCompiler();
        for (int i = 0; i < pathsAndSources.length; i += 2) {
            compiler.source(pathsAndSources[i], pathsAndSources[i + 1]);
        }
        return compiler;
    }

    /** A compilation unit; its path is derived from its package and first type. */
    InMemoryCompiler source(String path, String code) {
        sources.add(new Source(path, code));
        return this;
    }

    InMemoryCompiler processor(Processor processor) {
        processors.add(processor);
        return this;
    }

    InMemoryCompiler option(String option) {
        options.add(option);
        return this;
    }

    /** Leaves hermod-core off the class path (for sources that bring their own stand-ins). */
    InMemoryCompiler withoutClassPath() {
        classPath = false;
        return this;
    }

    Result compile() {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8);
        Outputs outputs = new Outputs(standard);
        List<String> args = new ArrayList<>(options);
        if (classPath) {
            args.add("-classpath");
            args.add(hermodCore());
        }
        StringWriter log = new StringWriter();
        JavaCompiler.CompilationTask task = javac.getTask(log, outputs, diagnostics, args, null, sources);
        task.setProcessors(processors);
        boolean success = task.call();
        return new Result(success, diagnostics.getDiagnostics(), outputs.generated(), outputs.classes());
    }

    private static String hermodCore() {
        try {
            return Path.of(dev.hermod.Remote.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a compilation produced. */
    record Result(boolean success, List<Diagnostic<? extends JavaFileObject>> diagnostics,
            Map<String, String> generated, Map<String, byte[]> classes) {

        List<String> errors() {
            return messages(Diagnostic.Kind.ERROR);
        }

        List<String> warnings() {
            return diagnostics.stream()
                    .filter(d -> d.getKind() == Diagnostic.Kind.WARNING || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING)
                    .map(d -> d.getMessage(Locale.ROOT))
                    .collect(Collectors.toList());
        }

        List<String> messages(Diagnostic.Kind kind) {
            return diagnostics.stream()
                    .filter(d -> d.getKind() == kind)
                    .map(d -> d.getMessage(Locale.ROOT))
                    .collect(Collectors.toList());
        }

        /** The source generated for a type, by qualified name. */
        String source(String qualifiedName) {
            String source = generated.get(qualifiedName);
            if (source == null) {
                throw new AssertionError("no source generated for " + qualifiedName + "; generated: "
                        + generated.keySet() + "; diagnostics: " + diagnostics);
            }
            return source;
        }

        /** A fresh loader for the compiled classes, whose parent sees hermod-core. */
        ClassLoader loader() {
            return new ClassLoader(InMemoryCompiler.class.getClassLoader()) {
                @Override
                protected Class<?> findClass(String name) throws ClassNotFoundException {
                    byte[] bytes = classes.get(name);
                    if (bytes == null) {
                        throw new ClassNotFoundException(name);
                    }
                    return defineClass(name, bytes, 0, bytes.length);
                }
            };
        }

        @Override
        public String toString() {
            return "success=" + success + ", diagnostics=" + diagnostics;
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String path, String code) {
            super(URI.create("mem:///" + path), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    /** Keeps generated sources and class files in memory. */
    private static final class Outputs extends ForwardingJavaFileManager<StandardJavaFileManager> {
        private final Map<String, Output> sources = new LinkedHashMap<>();
        private final Map<String, Output> classes = new LinkedHashMap<>();

        Outputs(StandardJavaFileManager standard) {
            super(standard);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(JavaFileManager.Location location, String className,
                JavaFileObject.Kind kind, FileObject sibling) {
            Output out = new Output(className, kind);
            if (location == StandardLocation.SOURCE_OUTPUT && kind == JavaFileObject.Kind.SOURCE) {
                sources.put(className, out);
            } else if (kind == JavaFileObject.Kind.CLASS) {
                classes.put(className, out);
            } else {
                throw new IllegalArgumentException("unexpected output " + location + " " + className + " " + kind);
            }
            return out;
        }

        @Override
        public boolean isSameFile(FileObject a, FileObject b) {
            if (a instanceof Output || b instanceof Output || a instanceof Source || b instanceof Source) {
                return a.equals(b);
            }
            return super.isSameFile(a, b);
        }

        Map<String, String> generated() {
            Map<String, String> out = new LinkedHashMap<>();
            sources.forEach((name, file) -> out.put(name, file.bytes.toString(StandardCharsets.UTF_8)));
            return out;
        }

        Map<String, byte[]> classes() {
            Map<String, byte[]> out = new LinkedHashMap<>();
            classes.forEach((name, file) -> out.put(name, file.bytes.toByteArray()));
            return out;
        }
    }

    private static final class Output extends SimpleJavaFileObject {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Output(String className, Kind kind) {
            super(URI.create("mem:///out/" + className.replace('.', '/') + kind.extension), kind);
        }

        @Override
        public OutputStream openOutputStream() {
            return bytes;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
