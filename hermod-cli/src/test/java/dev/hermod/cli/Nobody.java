package dev.hermod.cli;

/** The declared exception of {@link Greeter#greet}. */
public class Nobody extends Exception {
    private static final long serialVersionUID = 1L;

    public Nobody(String message) {
        super(message);
    }
}
