package dev.hermod.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * Prints the items of a streamed result as they arrive, one JSON value per line (compact with
 * {@code --json}), asking the server for a few at a time so that a fast server never runs ahead of
 * the terminal by more than that. Ctrl-C (or any shutdown of the JVM while the stream runs)
 * cancels the stream on the server before the command exits.
 */
final class StreamPrinter implements Flow.Subscriber<Object> {
    /** Items the server may send ahead of what was printed. */
    static final int AHEAD = 16;
    /** How long a shutdown waits for the cancel to reach the server. */
    private static final long CANCEL_GRACE_MILLIS = 500;

    private final PrintWriter out;
    private final boolean pretty;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Flow.Subscription subscription;
    private volatile Throwable failure;

    StreamPrinter(PrintWriter out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
    }

    /** Subscribes, prints until the stream ends, and returns; throws what ended it if it failed. */
    void run(Flow.Publisher<Object> items) throws Exception {
        Thread cancelOnExit = new Thread(this::cancel, "hermod-call-cancel");
        Runtime.getRuntime().addShutdownHook(cancelOnExit);
        try {
            items.subscribe(this);
            ended.await();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs, or has run
            }
        }
        Throwable f = failure;
        if (f instanceof Exception e) {
            throw e;
        } else if (f != null) {
            throw (Error) f;
        }
    }

    /** Cancels the stream if it still runs, and gives the cancel a moment to be sent. */
    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null && ended.getCount() > 0) {
            s.cancel();
            try {
                ended.await(CANCEL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(AHEAD);
    }

    @Override
    public void onNext(Object item) {
        out.println(Json.write(item, pretty));
        out.flush();
        subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
        failure = t;
        ended.countDown();
    }

    @Override
    public void onComplete() {
        ended.countDown();
    }
}
