package dev.hermod.internal.codec;

import java.io.IOException;

/**
 * One value of a coder's array could not be decoded as its declared type: says which value
 * (by index) and why, in words that name no library class, so that dispatch can name the
 * parameter ("parameter 1 (String name): expected a text string, got the integer 42").
 */
public final class ValueDecodingException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final String reason;

    ValueDecodingException(int index, String label, String reason, Throwable cause) {
        super("cannot decode " + label + ": " + reason, cause);
        this.index = index;
        this.reason = reason;
    }

    /** The index of the value that could not be decoded, from 0. */
    public int index() {
        return index;
    }

    /** Why, without the value's position: {@code "expected a text string, got the integer 42"}. */
    public String reason() {
        return reason;
    }
}
