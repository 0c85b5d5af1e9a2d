package dev.hermod.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import javax.tools.Diagnostic;
import org.junit.jupiter.api.Test;

/** Companions of contracts whose operations stream: a publisher is asynchronous already. */
final class StreamCompanionTest {
    private static final String CONSOLES = """
            package com.example;

            import dev.hermod.Remote;
            import java.util.concurrent.Flow;

            @Remote
            public interface Consoles {
                /** The console output of a VM, line by line. */
                Flow.Publisher<String> tail(String vm);

                /** Sends keystrokes; answers the screen as it changes. */
                Flow.Publisher<String> shell(String vm, Flow.Publisher<String> keys);

                /** Uploads an image, chunk by chunk; returns its size. */
                long upload(Flow.Publisher<byte[]> chunks);
            }
            """;

    @Test
    void process_publisherOperations_companionReturnsTheSamePublisher() throws Exception {
        InMemoryCompiler.Result result = InMemoryCompiler.withProcessor("com/example/Consoles.java", CONSOLES);
        assertThat(result.success()).as("%s", result).isTrue();
        assertThat(result.diagnostics()).filteredOn(d -> d.getKind() != Diagnostic.Kind.NOTE).isEmpty();

        Class<?> companion = result.loader().loadClass("com.example.ConsolesAsync");
        Method tail = companion.getMethod("tail", String.class);
        assertThat(tail.getGenericReturnType().getTypeName())
                .isEqualTo("java.util.concurrent.Flow$Publisher<java.lang.String>");
        Method shell = Arrays.stream(companion.getMethods()).filter(m -> m.getName().equals("shell")).findFirst()
                .orElseThrow();
        assertThat(shell.getGenericReturnType().getTypeName())
                .isEqualTo("java.util.concurrent.Flow$Publisher<java.lang.String>");
        Method upload = Arrays.stream(companion.getMethods()).filter(m -> m.getName().equals("upload")).findFirst()
                .orElseThrow();
        assertThat(upload.getReturnType().getName()).isEqualTo("dev.hermod.AsyncResult$Throwing");
    }
}
