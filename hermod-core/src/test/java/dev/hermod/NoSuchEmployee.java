package dev.hermod;

/** A declared exception with a field of its own. */
public class NoSuchEmployee extends Exception {
    private static final long serialVersionUID = 1L;
    private int number;

    public NoSuchEmployee(String message) {
        super(message);
    }

    public NoSuchEmployee(int number) {
        super("no employee number " + number);
        this.number = number;
    }

    public int number() {
        return number;
    }
}
