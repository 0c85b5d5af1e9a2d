package dev.hermod.tools;

import dev.hermod.Current;
import dev.hermod.Remote;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface as a servant-side form of a contract: a servant implements it instead of the
 * contract to answer operations later, without holding a thread, while clients keep calling the
 * contract itself, synchronously or asynchronously (Ice's asynchronous method dispatch).
 *
 * <p>Hermod's annotation processor generates one for every {@link Remote @Remote} contract:
 * {@code FetchServiceAsyncServant} for {@code FetchService}, with each operation returning
 * {@link java.util.concurrent.CompletionStage CompletionStage} of its result type and declaring
 * the operation's exceptions. Bind a servant that implements it under the contract's operations
 * with {@code Server.Builder.add("fetch", FetchServiceAsyncServant.class, servant)}.
 *
 * <p>Threads: a method runs on the server's dispatch executor, like any operation, and should
 * return as soon as it has started the work; no thread is held while the stage is pending. The
 * stage may complete on any thread, which then encodes and sends the reply. A value completes the
 * call; an exception the operation declares reaches the caller as itself, anything else as a
 * remote failure. Call {@link Current#get()} in the method and keep it to report progress, read
 * the time left or see a cancel from other threads. When the caller cancels, its deadline passes
 * or its connection closes, a {@link java.util.concurrent.CompletableFuture} the method returned
 * is canceled.
 *
 * <p>An interface written by hand may carry this annotation too, choosing per operation, as Ice's
 * {@code ["amd"]} metadata does: each method has the name and parameter types of one operation of
 * {@link #value()} and returns either the operation's own result type (answered when the method
 * returns) or a {@code CompletionStage} of it (answered when the stage completes); it may declare
 * the checked exceptions the operation declares, and it has a method for every operation. An
 * interface that does not match is refused when it is bound, with an
 * {@link IllegalArgumentException} naming the method, and reported by the annotation processor
 * at compile time.
 *
 * @since 0.1
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ServantOf {
    /**
     * The contract whose operations this interface answers.
     *
     * @return the {@link Remote @Remote} interface clients call
     */
    Class<?> value();
}
