package dev.hermod.internal.invocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class FailureWatchTest {

    /**
     * A received failure is not held by the cleaner: a client refused calls faster than
     * collections find their results unreachable must not keep every failure until they do.
     */
    @Test
    void receivedFailure_isNotHeldWhileItsStageWaitsForCollection() {
        Object stage = new Object(); // reachable throughout: the cleaner never runs its action
        WeakReference<Throwable> failure = watchAndReceive(stage, "the failure received");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return failure.get() == null;
        });
        assertThat(stage).isNotNull();
    }

    @Test
    void failureReceivedBeforeItIsWatched_isNotHeldEither() {
        Object stage = new Object();
        WeakReference<Throwable> failure = receiveThenWatch(stage);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            return failure.get() == null;
        });
        assertThat(stage).isNotNull();
    }

    @Test
    void unreceivedFailure_staysWithTheCleanerToBeLogged() throws InterruptedException {
        Object stage = new Object();
        FailureWatch watch = new FailureWatch("op on service 'test'");
        Throwable f = new IllegalStateException("nobody looks");
        WeakReference<Throwable> failure = new WeakReference<>(f);
        watch.failing(f);
        watch.watch(stage);
        watch = null;
        f = null;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(failure.get()).as("kept for the log line its stage's collection writes").isNotNull();
        assertThat(stage).isNotNull();
    }

    private static WeakReference<Throwable> watchAndReceive(Object stage, String message) {
        FailureWatch watch = new FailureWatch("op on service 'test'");
        Throwable f = new IllegalStateException(message);
        watch.failing(f);
        watch.watch(stage);
        watch.observe();
        return new WeakReference<>(f);
    }

    private static WeakReference<Throwable> receiveThenWatch(Object stage) {
        FailureWatch watch = new FailureWatch("op on service 'test'");
        Throwable f = new IllegalStateException("received first");
        watch.failing(f);
        watch.observe();
        watch.watch(stage);
        return new WeakReference<>(f);
    }
}
