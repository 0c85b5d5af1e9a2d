package dev.hermod;

import java.util.concurrent.CompletionStage;

/** Long-running operations: progress, cancellation, answers given later. */
@Remote
public interface Jobs {
    /** Runs {@code steps} steps of {@code stepMillis}, reporting progress; gives up when canceled. */
    String run(int steps, long stepMillis);

    /** Answers when {@link #release(String)} is called with the same key; holds no thread meanwhile. */
    CompletionStage<String> later(String key);

    void release(String key);

    /** How many {@link #run} invocations saw their cancellation. */
    int canceledRuns();

    /** Calls {@link #run} on {@code target} (another Jobs server) and returns its answer. */
    String relay(String target, int steps, long stepMillis);
}
