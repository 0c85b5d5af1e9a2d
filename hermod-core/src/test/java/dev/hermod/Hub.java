package dev.hermod;

import java.util.List;

/** A server that calls back the listeners clients pass it, for {@link EventsTest}. */
@Remote
public interface Hub {
    void subscribe(Listener listener);

    /** Drops the listener and releases the reference. */
    void unsubscribe(Listener listener);

    /** Drops the listener without releasing it: its reference goes when the proxy is collected. */
    void forget(Listener listener);

    /** Sends {@code count} events to every subscriber in one batch. */
    void publishBatch(int count);

    /** Sends {@code count} oneway events to every subscriber, numbered from 0; returns the subscriber count. */
    int publish(int count);

    /** Calls the listener back synchronously while serving this call. */
    String callBack(Listener listener, String text);

    /** Calls the listener's failing operation and returns what the server caught, as text. */
    String provokeFailure(Listener listener);

    /** Hands the listener back. */
    Listener same(Listener listener);

    /** A new counter living on the server. */
    Counter newCounter();

    /** Reads a counter passed back to the server. */
    int read(Counter counter);

    /** Listeners subscribed now. */
    List<String> subscribers();
}
