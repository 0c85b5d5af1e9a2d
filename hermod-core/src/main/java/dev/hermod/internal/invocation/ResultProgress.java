package dev.hermod.internal.invocation;

import dev.hermod.Progress;
import dev.hermod.internal.dispatch.SerialExecutor;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The progress reports of one asynchronous call and the listeners that follow them: reports and
 * listeners are handled one at a time, in order, on a serial lane over the callback executor,
 * created on first use (most calls never report progress). The result settles behind the reports
 * in that lane. Thread-safe.
 */
final class ResultProgress {
    private final Call call;
    private final Executor callbacks;
    private volatile Progress latest;
    /** Created with the lane. */
    private volatile ConcurrentLinkedQueue<Consumer<? super Progress>> listeners;
    private volatile SerialExecutor lane;

    ResultProgress(Call call, Executor callbacks) {
        this.call = call;
        this.callbacks = callbacks;
    }

    /** The latest report, or null. */
    Progress latest() {
        return latest;
    }

    /** The lane, or null if nothing used progress yet. */
    SerialExecutor laneIfAny() {
        return lane;
    }

    private SerialExecutor lane() {
        SerialExecutor l = lane;
        if (l == null) {
            synchronized (this) {
                l = lane;
                if (l == null) {
                    listeners = new ConcurrentLinkedQueue<>();
                    l = SerialExecutor.orRunHere(callbacks);
                    lane = l;
                }
            }
        }
        return l;
    }

    /** Adds a listener; it first receives the latest report, if there is one. */
    void listen(Consumer<? super Progress> callback) {
        lane().execute(() -> {
            listeners.add(callback);
            Progress p = latest;
            if (p != null) {
                AsyncResultImpl.guarded(call, () -> callback.accept(p));
            }
        });
    }

    /** A report arrived (on the I/O thread): record it and tell the listeners in order. */
    void reported(Progress p) {
        lane().execute(() -> {
            latest = p;
            for (Consumer<? super Progress> l : listeners) {
                AsyncResultImpl.guarded(call, () -> l.accept(p));
            }
        });
    }
}
