package dev.hermod.examples.jobs;

/** Thrown when no machine has the requested name. */
public class NoSuchMachine extends Exception {
    private static final long serialVersionUID = 1L;

    public NoSuchMachine(String message) {
        super(message);
    }
}
