package dev.hermod.cli;

import java.util.List;

import dev.hermod.Remote;

/** The contract the command tests call. */
@Remote
public interface Greeter {
    String greet(String name) throws Nobody;

    int add(int a, int b);

    Point move(Point p, int dx);

    void ping();

    /** The value of a request context entry, or null. */
    String contextValue(String key);

    /** Sleeps, then answers: for deadlines. */
    String sleep(long millis);

    /** A record with an enum and a list inside. */
    String label(Person person);

    int sum(List<Integer> values);

    /** Takes an object reference, which the command line cannot pass. */
    void watch(Listener listener);

    /** A record argument and result. */
    record Point(int x, int y) {}

    /** A record with nested types. */
    record Person(String name, Level level, List<String> tags) {}

    /** An enum. */
    enum Level { JUNIOR, SENIOR }

    /** A callback interface, passed by reference. */
    @Remote
    interface Listener {
        void greeted(String name);
    }
}
