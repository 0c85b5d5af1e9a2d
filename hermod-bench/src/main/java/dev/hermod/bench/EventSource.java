package dev.hermod.bench;

import dev.hermod.Remote;

/** The server side of the events measurement: streams oneway events to a client's sink. */
@Remote
public interface EventSource {
    /**
     * Calls {@code sink.event} oneway, over the connection the client opened, for
     * {@code millis} milliseconds.
     *
     * @return how many events were sent
     */
    long stream(EventSink sink, long millis, int payload);
}
