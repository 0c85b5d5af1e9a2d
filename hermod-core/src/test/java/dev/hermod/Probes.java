package dev.hermod;

import dev.hermod.tools.CompanionOf;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A contract whose result and exception types record the threads that decode them. */
@Remote
public interface Probes {
    /** Names of the threads that ran a setter or constructor while decoding. */
    List<String> DECODED_ON = new CopyOnWriteArrayList<>();

    Probe probe(String value);

    void fail(String value) throws ProbeFailure;

    /** A bean whose setter records the thread that decodes it. */
    final class Probe {
        private String value;

        public String getValue() {
            return value;
        }

        public void setValue(String value) {
            DECODED_ON.add(Thread.currentThread().getName());
            this.value = value;
        }
    }

    /** A declared exception whose constructor records the thread that rebuilds it. */
    final class ProbeFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public ProbeFailure(String message) {
            super(message);
            DECODED_ON.add(Thread.currentThread().getName());
        }
    }

    /** The asynchronous face of {@link Probes}. */
    @CompanionOf(Probes.class)
    interface Async {
        AsyncResult<Probe> probe(String value);
    }
}
