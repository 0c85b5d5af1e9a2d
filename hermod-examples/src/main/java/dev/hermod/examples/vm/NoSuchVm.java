package dev.hermod.examples.vm;

/** Thrown when no virtual machine has the requested id. A declared exception: it crosses the wire as itself. */
public class NoSuchVm extends Exception {
    private static final long serialVersionUID = 1L;
    /** The id that was asked for; travels with the exception. */
    private String id;

    /**
     * Used by Hermod to rebuild the exception on the client; the field is restored afterwards.
     *
     * @param message the detail message
     */
    public NoSuchVm(String message) {
        super(message);
    }

    static NoSuchVm of(String id) {
        NoSuchVm e = new NoSuchVm("no VM has id " + id);
        e.id = id;
        return e;
    }

    /**
     * Returns the id that was asked for.
     *
     * @return the unknown id
     */
    public String id() {
        return id;
    }
}
