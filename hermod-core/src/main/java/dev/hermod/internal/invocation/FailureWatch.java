package dev.hermod.internal.invocation;

import dev.hermod.AsyncResult;
import dev.hermod.internal.contract.Operation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a failure nobody received (Kaa's "Unhandled asynchronous exception"). One watch stands
 * for one stage: a result, or a stage derived from it ({@link DerivedStage}), whose watch names
 * the result's watch as its source. It holds no reference to its stage.
 *
 * <p>The rule: a failure counts as observed once something received it (see
 * {@link AsyncResultImpl}); receiving a derived stage's failure also receives the failure of the
 * stages it derives from, since a derived stage fails with its source's failure when the source
 * fails. A stage that fails with its source's very failure carries it on and logs nothing itself;
 * the stage where a failure arose logs it, once, when it and every stage derived from it have
 * become unreachable and nothing received it. So a failure dropped along a chain of stages is
 * logged once, and one received at the end of the chain is not logged at all.
 *
 * <p>Thread-safe.
 */
final class FailureWatch {
    private static final Logger log = LoggerFactory.getLogger(AsyncResult.class);
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "hermod-unobserved-failures");
        t.setDaemon(true);
        return t;
    });

    private static final VarHandle HOLDS;
    private static final VarHandle CONCLUDED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HOLDS = lookup.findVarHandle(FailureWatch.class, "holds", int.class);
            CONCLUDED = lookup.findVarHandle(FailureWatch.class, "concluded", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * What the result the stages derive from was, for the log line: its description, or its
     * operation, described with {@link #service} only if a line is logged (most results never
     * fail: describing each one cost a string per call).
     */
    private final Object what;
    private final String service;
    private final FailureWatch source;
    private volatile boolean observed;
    /** What the stage failed with, unwrapped; null while it has not failed. */
    private volatile Throwable failure;
    /** The stage itself, until it is unreachable or has succeeded, plus the derived stages still pending. */
    @SuppressWarnings("unused") // through HOLDS
    private volatile int holds = 1;
    @SuppressWarnings("unused") // through CONCLUDED
    private volatile boolean concluded;
    /** The stage's registration with the cleaner, once it is watched. */
    private volatile Cleaner.Cleanable cleanable;

    /** A watch for a result that {@code what} describes. */
    FailureWatch(String what) {
        this(what, null, null);
    }

    /** A watch for the result of a call of {@code operation} on {@code service}. */
    FailureWatch(Operation operation, String service) {
        this(operation, service, null);
    }

    /** A watch for a stage derived from the stage {@code source} watches; holds the source. */
    FailureWatch(FailureWatch source) {
        this(source.what, source.service, source);
        HOLDS.getAndAdd(source, 1);
    }

    private FailureWatch(Object what, String service, FailureWatch source) {
        this.what = what;
        this.service = service;
        this.source = source;
    }

    /**
     * Someone received the stage's outcome: so also its sources' (see the class comment). A watch
     * received has nothing left to log: it leaves the cleaner at once, and with it the failure it
     * kept, rather than when a collection finds its stage unreachable and the cleaner's thread
     * gets to it. A client refused thousands of calls a second keeps none of their failures.
     */
    void observe() {
        for (FailureWatch w = this; w != null && !w.observed; w = w.source) {
            w.observed = true;
            Cleaner.Cleanable c = w.cleanable;
            if (c != null) {
                c.clean(); // releases the stage's hold, as its collection would
            }
        }
    }

    boolean isObserved() {
        return observed;
    }

    /** Records the failure the stage is completing with (before it completes, for its dependents). */
    void failing(Throwable f) {
        failure = unwrap(f);
    }

    /** Releases the stage's own hold once {@code stage} is unreachable (it failed, or derives from a result). */
    void watch(Object stage) {
        Cleaner.Cleanable c = CLEANER.register(stage, this::release);
        cleanable = c;
        if (observed) {
            c.clean(); // received before it was watched: observe() may not have seen it
        }
    }

    /** The stage succeeded: nothing of its own to log. */
    void succeeded() {
        failure = null;
        release();
    }

    /** One hold less: the stage became unreachable, or a derived stage concluded. */
    private void release() {
        if ((int) HOLDS.getAndAdd(this, -1) == 1 && CONCLUDED.compareAndSet(this, false, true)) {
            Throwable f = failure;
            if (f != null && !observed && (source == null || source.failure != f)) {
                if (source == null) {
                    log.error("unhandled asynchronous exception: {} failed and nobody observed it", what(), f);
                } else {
                    log.error("unhandled asynchronous exception: a stage derived from {} failed and nobody"
                            + " observed it", what(), f);
                }
            }
            if (source != null) {
                source.release();
            }
        }
    }

    /** The name of the result the stages derive from. */
    String what() {
        return what instanceof Operation operation ? Call.describe(operation, service) : (String) what;
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
