package dev.hermod.internal.invocation;

import java.lang.ref.Cleaner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a failure of an asynchronous call that nobody looked at, once its result becomes
 * unreachable (Kaa's "Unhandled asynchronous exception"). Holds no reference to the result
 * itself. Thread-safe.
 */
final class UnobservedFailure implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(dev.hermod.AsyncResult.class);
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "hermod-unobserved-failures");
        t.setDaemon(true);
        return t;
    });

    private final String what;
    private final Throwable failure;
    private volatile boolean observed;

    private UnobservedFailure(String what, Throwable failure) {
        this.what = what;
        this.failure = failure;
    }

    /** Watches {@code result}, which failed with {@code failure}, until it becomes unreachable. */
    static UnobservedFailure watch(Object result, String what, Throwable failure) {
        UnobservedFailure w = new UnobservedFailure(what, failure);
        CLEANER.register(result, w);
        return w;
    }

    /** Someone looked at the outcome: nothing to log. */
    void observed() {
        observed = true;
    }

    @Override
    public void run() {
        if (!observed) {
            log.error("unhandled asynchronous exception: {} failed and nobody observed it", what, failure);
        }
    }
}
