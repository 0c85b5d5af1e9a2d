package dev.hermod.examples.employees;

/** Thrown when no employee has the requested number. A declared exception: it crosses the wire as itself. */
public class NoSuchEmployee extends Exception {
    private static final long serialVersionUID = 1L;
    private int number;

    /** Used by Hermod to rebuild the exception on the client; the field is restored afterwards. */
    public NoSuchEmployee(String message) {
        super(message);
    }

    public NoSuchEmployee(int number) {
        super("no employee has number " + number);
        this.number = number;
    }

    /** The number that was asked for. */
    public int number() {
        return number;
    }
}
