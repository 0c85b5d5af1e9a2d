package dev.hermod.internal.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.hermod.internal.transport.VirtualThreads;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.WeakReference;

/**
 * One CBOR generator per platform thread, reused for every message the thread encodes, instead
 * of a new generator per message. A generator with its I/O context, write contexts and buffers
 * was about a fifth of the bytes a small call allocated on each side (hermod-bench's
 * {@code throughput} scenario, JFR allocation samples), and its creation a few percent of the
 * CPU time.
 *
 * <p>A CBOR generator writes any number of root-level values one after another; this one writes
 * each message's values into a {@link Redirect} that forwards to the stream the message goes
 * to, and is flushed after each message, so nothing is held between messages. A generator whose
 * message failed half-way is dropped, not reused: its contexts may be left open. Virtual threads
 * and a message encoded while the thread's generator is already busy (a serializer that encodes
 * another message) get a fresh generator, as every message did before.
 *
 * <p>Each thread's state is its own; the class holds no shared mutable state. The thread's
 * generator is weakly held: a generator refers to its mapper, which may refer to classes of an
 * application's class loader, and a thread that outlives the client must not keep them loaded.
 */
final class Generators {
    /** Weakly held: see the class comment. */
    private static final ThreadLocal<WeakReference<Held>> HELD = new ThreadLocal<>();

    private Generators() {}

    /** What one message is written with. */
    @FunctionalInterface
    interface Writing {
        void writeTo(JsonGenerator generator) throws IOException;
    }

    /**
     * What one message of {@code values} is written with: made once (per codec, say) rather than
     * a lambda that captures the values per message.
     */
    @FunctionalInterface
    interface ValuesWriting {
        void writeTo(JsonGenerator generator, Object values, java.util.List<java.nio.ByteBuffer> segments)
                throws IOException;
    }

    /** As {@link #write(JsonFactory, OutputStream, Writing)}, for {@code values}. */
    static void write(JsonFactory factory, OutputStream out, ValuesWriting writing, Object values,
            java.util.List<java.nio.ByteBuffer> segments) throws IOException {
        write(factory, out, null, writing, values, segments);
    }

    /** Writes one message into {@code out} through {@code factory}'s generator for this thread. */
    static void write(JsonFactory factory, OutputStream out, Writing writing) throws IOException {
        write(factory, out, writing, null, null, null);
    }

    /** Writes with {@code writing}, or else with {@code valuesWriting} and its arguments. */
    private static void write(JsonFactory factory, OutputStream out, Writing writing, ValuesWriting valuesWriting,
            Object values, java.util.List<java.nio.ByteBuffer> segments) throws IOException {
        Held held = VirtualThreads.current() ? null : held(factory);
        if (held == null || held.busy) {
            writeFresh(factory, out, writing != null ? writing : g -> valuesWriting.writeTo(g, values, segments));
            return;
        }
        held.busy = true;
        held.redirect.target = out;
        boolean done = false;
        try {
            if (writing != null) {
                writing.writeTo(held.generator);
            } else {
                valuesWriting.writeTo(held.generator, values, segments);
            }
            held.generator.flush();
            done = true;
        } finally {
            held.redirect.target = null;
            held.busy = false;
            if (!done) {
                HELD.remove(); // the failed message may have left contexts open
            }
        }
    }

    /** This thread's generator for {@code factory}, made if it has none. */
    private static Held held(JsonFactory factory) throws IOException {
        WeakReference<Held> ref = HELD.get();
        Held held = ref == null ? null : ref.get();
        if (held == null || held.factory != factory) {
            held = new Held(factory);
            HELD.set(new WeakReference<>(held));
        }
        return held;
    }

    private static void writeFresh(JsonFactory factory, OutputStream out, Writing writing) throws IOException {
        // Closing the generator flushes it into out; AUTO_CLOSE_TARGET is off, so out stays open.
        try (JsonGenerator generator = factory.createGenerator(out)) {
            writing.writeTo(generator);
        }
    }

    /** A thread's generator for one factory. */
    private static final class Held {
        final JsonFactory factory;
        final Redirect redirect = new Redirect();
        final JsonGenerator generator;
        boolean busy;

        Held(JsonFactory factory) throws IOException {
            this.factory = factory;
            this.generator = factory.createGenerator(redirect);
        }
    }

    /** Forwards to the stream of the message being written. */
    private static final class Redirect extends OutputStream {
        OutputStream target;

        @Override
        public void write(int b) throws IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target.write(b, off, len);
        }
    }
}
