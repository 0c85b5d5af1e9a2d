package dev.hermod.issues;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;
import dev.hermod.Current;
import dev.hermod.Remote;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A servant the issue tests hold at a gate, and that records every request it sees. */
@Remote
public interface Gate {
    /** Records {@code sequence}, then waits until the test opens the gate (or the call is canceled). */
    void hold(int sequence, byte[] data);

    /** Records {@code text} and returns it. */
    String echo(String text);

    /** Records {@code text}; can be called oneway. */
    void note(String text);

    /** Throws an unchecked exception: the caller gets a {@link dev.hermod.RemoteException}. */
    void boom(String why);

    /** The time left before the caller's deadline as the servant sees it, or "none". */
    String deadline();

    /** The asynchronous face of {@link Gate}, as the annotation processor would generate it. */
    @CompanionOf(Gate.class)
    interface Async {
        AsyncResult<Void> hold(int sequence, byte[] data);

        AsyncResult<String> echo(String text);

        AsyncResult<Void> note(String text);

        AsyncResult<Void> boom(String why);

        AsyncResult<String> deadline();
    }

    /**
     * Marks a result's failure as seen: the tests look at the failures they care about, and the
     * others (calls of a flood that end with the client) are not to be logged as unobserved while
     * a later test captures the log.
     */
    static <T> AsyncResult<T> quiet(AsyncResult<T> result) {
        return result.onException(ignored -> { });
    }

    /** The servant. */
    final class Impl implements Gate {
        final CountDownLatch gate = new CountDownLatch(1);
        /** The sequences {@code hold} saw, in arrival order. */
        final List<Integer> held = new CopyOnWriteArrayList<>();
        /** The sequences whose {@code hold} was interrupted by a cancel. */
        final Set<Integer> interrupted = ConcurrentHashMap.newKeySet();
        final List<String> echoed = new CopyOnWriteArrayList<>();
        final List<String> notes = new CopyOnWriteArrayList<>();

        @Override
        public void hold(int sequence, byte[] data) {
            held.add(sequence);
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.add(sequence);
            }
        }

        @Override
        public String echo(String text) {
            echoed.add(text);
            return text;
        }

        @Override
        public void note(String text) {
            notes.add(text);
        }

        @Override
        public void boom(String why) {
            throw new IllegalStateException("boom: " + why);
        }

        @Override
        public String deadline() {
            return Current.get().timeRemaining().map(Duration::toString).orElse("none");
        }

        void open() {
            gate.countDown();
        }
    }
}
