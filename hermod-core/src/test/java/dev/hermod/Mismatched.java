package dev.hermod;

import java.util.List;

/** Contracts that disagree with {@link Employees} as served: what an out-of-date client sees. */
final class Mismatched {
    private Mismatched() {}

    /** Has an operation the server's contract lacks, and one that exists only on the servant class. */
    @Remote
    public interface NewerEmployees {
        String getName(int number) throws NoSuchEmployee;

        void fire(int number);

        String secret();
    }

    /** Declares getName with a parameter type the server cannot decode as int. */
    @Remote
    public interface WrongArguments {
        String getName(String number);
    }

    /** Declares names() with a result type the client cannot decode from a list. */
    @Remote
    public interface WrongResult {
        int names();

        List<String> getName(int number);
    }
}
