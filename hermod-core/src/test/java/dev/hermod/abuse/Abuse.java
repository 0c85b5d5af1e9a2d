package dev.hermod.abuse;

import dev.hermod.Remote;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The contract the abuse suite's server serves: a quick call for bystanders, and what attacks need. */
@Remote
public interface Abuse {
    /** Answers at once: what a bystander calls to see whether the server still serves it. */
    int ping();

    /** Returns {@code size} bytes: large replies for a peer that never reads them. */
    byte[] blob(int size);

    /** Returns {@code size} bytes after {@code millis}: many large replies made at once. */
    byte[] blobAfter(int size, int millis);

    /** Takes a large argument and returns its length. */
    int take(byte[] data);

    /** Holds a dispatch thread for {@code millis}; returns how many calls hold one now. */
    int hold(int millis);

    /** Answers after {@code millis} without holding a thread; counts as in dispatch meanwhile. */
    CompletionStage<Integer> holdAsync(int millis);

    /** Returns the number of keys of a map the peer sent. */
    int keys(Map<String, Integer> map);

    /** Returns {@code x + y} of a record the peer sent (with any unknown keys it added). */
    int shape(Shape shape);

    /** Does nothing: a oneway target. */
    void note(String text);

    /** A small record. */
    record Shape(int x, int y) {}
}
