package dev.hermod;

/** An object a server creates and hands out by reference, for {@link EventsTest}. */
@Remote
public interface Counter {
    int increment();
}
