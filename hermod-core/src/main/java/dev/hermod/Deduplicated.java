package dev.hermod;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an operation of a {@link Remote} contract that is not safe to run twice (a transfer, an
 * "append", a "create") as run at most once per call however often the call is sent: exactly
 * once when it gets an answer. The client tags each call with an id of its own, the same on
 * every attempt; the server remembers the calls it ran and their replies for a while, and a call
 * sent again after a lost connection gets the reply of its first run (waiting for it if that run
 * has not ended) instead of running again. The client may therefore re-send such a call after a
 * connection loss, as it does an {@link Idempotent} one (see {@link Client.Builder#maxAttempts(int)}),
 * but only to the endpoint it may have run on: on a client with several endpoints, if that one
 * cannot take it again, the call fails with a {@link ConnectionException} saying that its outcome
 * is unknown, rather than run on another server, which would not know it.
 *
 * <p>What the server remembers is bounded ({@link Server.Builder#deduplication}): by default
 * each reply for 5 minutes, at most 100,000 replies and 64 MiB of them. A call sent again after
 * its reply was forgotten runs again, so the window must outlast the longest a client re-sends
 * (its call timeout). A run that the connection's loss would otherwise cancel runs to its end,
 * so that its reply can be handed to the call sent again. The memory is the server process's:
 * a call that ran on a server that then restarted runs again. Two-way calls only: a oneway call
 * is never re-sent, and a streaming operation is never deduplicated, nor one that passes an
 * object reference (its objects are exported on the connection of its first run, which a reply
 * replayed on another cannot name): such a call is not sent again once it may have run. The id travels in the
 * call's context under the key {@code hermod-call-id}; a caller that sets that key itself (an
 * idempotency key of its own, kept across client restarts) has its id used instead. Replies are
 * remembered per authenticated principal, service and operation: one principal never receives
 * another's.
 *
 * <p>On the contract's interface, it marks every operation of it. The asynchronous companion of
 * a contract inherits the marks of the contract's methods.
 *
 * @since 0.3
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Deduplicated {}
