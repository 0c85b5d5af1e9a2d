package dev.hermod.codec;

import java.lang.reflect.Type;
import java.util.List;

/**
 * A codec turns the arguments, results and declared exceptions of remote operations into bytes
 * and back, driven only by the Java types that the contract declares.
 *
 * <p>Hermod asks a codec for a {@link ValueCoder} once per operation, when a {@code @Remote}
 * interface is first used by a client or bound by a server, and then reuses that coder for every
 * call. That is the moment to validate the types: a codec that cannot carry a type throws
 * {@link IllegalArgumentException} from {@link #coder(List)}, and Hermod reports it with the
 * offending method. Nothing read from the wire may decide which class is instantiated: a codec
 * decodes a value only as the declared type (or, for the collection interfaces, the standard
 * implementation of it).
 *
 * <p>The default codec is binary CBOR through Jackson ({@code Hermod.server().codec(...)} and
 * {@code Hermod.client().codec(...)} replace it); both ends of a connection must use the same codec.
 *
 * <p>Implementations must be thread-safe.
 *
 * @since 0.1
 */
public interface Codec {

    /**
     * Returns the codec's short name, for diagnostics (for example {@code "cbor"}).
     *
     * @return the name, never null
     */
    String name();

    /**
     * Prepares a coder for a fixed sequence of declared types: the parameter types of an
     * operation, its result type (a list of one element), or one declared exception type.
     *
     * <p>A type that is a subclass of {@link Throwable} is a declared exception: the codec
     * carries its message and the fields its class declares, never its stack trace or cause.
     *
     * @param types the declared types in order, possibly empty; never null
     * @return a thread-safe coder for exactly these types
     * @throws IllegalArgumentException if one of the types cannot be carried by this codec; the
     *     message names the type and the reason
     */
    ValueCoder coder(List<Type> types);

    /**
     * Prepares a coder for values whose types are not known on this side: the arguments and
     * result of a dynamic invocation ({@code Client.invoke}), made by tools that have no contract
     * class. Values are encoded by their runtime types and decoded as plain data: null, booleans,
     * numbers, strings, {@code byte[]}, {@code List} and {@code Map}. The receiving side still
     * decodes them as its declared types, so nothing here ever chooses a class to instantiate.
     *
     * <p>The default implementation throws {@link UnsupportedOperationException}: a codec that
     * cannot do this does not support dynamic invocation.
     *
     * @param count the number of values
     * @return a thread-safe coder
     * @throws UnsupportedOperationException if this codec does not support untyped values
     */
    default ValueCoder untypedCoder(int count) {
        throw new UnsupportedOperationException("the " + name() + " codec does not support dynamic invocation");
    }
}
