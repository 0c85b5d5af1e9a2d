package dev.hermod;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a Java interface as a Hermod contract: every abstract method is a remote operation.
 *
 * <p>A client obtains a proxy for a contract with {@link Client#proxy(Class, String)}; a server
 * binds an implementation of it with {@link Server.Builder#add(String, Class, Object)}. The
 * interface is read once and validated; anything Hermod cannot carry (an overloaded operation
 * name, a parameter type the codec cannot encode, a declared exception Hermod cannot rebuild) is
 * rejected with an {@link IllegalArgumentException} that names the method.
 *
 * <p>{@code default} methods run locally in the caller and are never sent; so are
 * {@code equals}, {@code hashCode} and {@code toString} on a proxy.
 *
 * <p>A parameter or result declared as {@link java.nio.ByteBuffer} carries the buffer's remaining
 * bytes without copying them into the request: the caller must not modify them until the call has
 * completed (a retry sends them again), and its buffer's position is not moved. A servant receives
 * a read-only view of the received bytes that is valid only until it returns, or until the
 * {@code CompletionStage} it returns completes; a caller receives a read-only result of its own.
 *
 * @since 0.1
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Remote {}
