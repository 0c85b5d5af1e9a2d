package dev.hermod;

/** A client-side callback for {@link EventsTest}: the server calls it back over the client's connection. */
@Remote
public interface Listener {
    /** An event: sent oneway. */
    void onEvent(String event);

    /** Answers with a value computed on the client. */
    String echo(String text);

    /** Fails on the client with an undeclared exception. */
    void fail(String message);

    /** The context entry the caller sent. */
    String context(String key);

    /** Sleeps, to outlast a deadline. */
    void sleep(long millis) throws InterruptedException;
}
