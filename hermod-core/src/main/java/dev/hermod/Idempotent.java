package dev.hermod;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an operation of a {@link Remote} contract as safe to run more than once: running it twice
 * with the same arguments has the effect of running it once (a read, a "set to", a delete by
 * key). The client may then send it again when its connection was lost or the server went away
 * after the request may have reached the server, where it would otherwise have to fail with
 * {@link ConnectionException}; see {@link Client.Builder#maxAttempts(int)}. On the contract's
 * interface, it marks every operation of it.
 *
 * <p>An operation that is not idempotent is re-sent only when the client knows the server never
 * saw it ({@link RpcException#isUnprocessed()}), or when it is {@link Deduplicated} (the server
 * then runs it once however often it arrives). The asynchronous companion of a contract
 * inherits the marks of the contract's methods.
 *
 * @since 0.2
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Idempotent {}
