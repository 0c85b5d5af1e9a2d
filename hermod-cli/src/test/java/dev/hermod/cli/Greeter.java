package dev.hermod.cli;

import dev.hermod.Remote;

/** The contract the command tests call. */
@Remote
public interface Greeter {
    String greet(String name) throws Nobody;

    int add(int a, int b);

    Point move(Point p, int dx);

    void ping();

    /** A record argument and result. */
    record Point(int x, int y) {}
}
