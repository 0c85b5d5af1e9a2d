package dev.hermod.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A serial executor whose delegate refuses hands every task to its rejection handler, even one
 * submitted while the refused drain loop is ending. That loop is held after its last look at
 * the tasks ({@link SerialExecutor#beforeIdle}) while another thread submits one, so the race
 * happens every time.
 */
final class SerialExecutorTest {
    private static final Executor REFUSING = task -> {
        throw new RejectedExecutionException("full");
    };

    private final List<Runnable> handedBack = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        SerialExecutor.beforeIdle = null;
    }

    @Test
    void execute_whileARefusedDrainEnds_theTaskIsHandedToTheRejectionHandler() {
        SerialExecutor serial = new SerialExecutor(REFUSING, handedBack::add);
        Runnable first = task("first");
        Runnable second = task("second");
        AtomicBoolean once = new AtomicBoolean();
        SerialExecutor.beforeIdle = s -> {
            if (s != serial || !once.compareAndSet(false, true)) {
                return;
            }
            // Sees the drain still running, so leaves the task to it.
            CompletableFuture.runAsync(() -> s.execute(second)).join();
        };

        serial.execute(first);

        // Before the fix: only the first; the second stayed queued until the next execute.
        assertThat(handedBack).containsExactly(first, second);
    }

    private static Runnable task(String name) {
        return new Runnable() {
            @Override
            public void run() {
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
