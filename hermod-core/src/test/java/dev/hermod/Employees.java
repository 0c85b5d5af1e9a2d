package dev.hermod;

import java.util.List;

/** The contract most end-to-end tests use: the Ice manual's Employees, plus a few test hooks. */
@Remote
public interface Employees {
    String getName(int number) throws NoSuchEmployee;

    void rename(int number, String name) throws NoSuchEmployee;

    List<String> names();

    /** Sleeps, then returns its argument: to hold a call open. */
    int slowEcho(int value, long sleepMillis);

    /** Throws an exception the operation does not declare. */
    void fail(String message);

    /** Returns what the servant sees in {@link Current}. */
    String whoAmI();

    default String greeting(int number) throws NoSuchEmployee {
        return "Hello, " + getName(number);
    }
}
