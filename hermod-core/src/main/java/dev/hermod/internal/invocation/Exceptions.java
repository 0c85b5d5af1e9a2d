package dev.hermod.internal.invocation;

import dev.hermod.ConnectionException;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.MarshalException;
import dev.hermod.ObjectNotFoundException;
import dev.hermod.OperationNotFoundException;
import dev.hermod.ProtocolException;
import dev.hermod.RemoteException;
import dev.hermod.RpcException;
import dev.hermod.ServiceNotFoundException;
import dev.hermod.Status;
import dev.hermod.internal.bridge.Failures;
import dev.hermod.internal.protocol.Frames;

/** Maps statuses to exception types, and copies exceptions so they show the caller's stack. */
public final class Exceptions {
    private Exceptions() {}

    /** The exception a failure reply stands for. */
    static RpcException fromFailure(Frames.Failure f) {
        return forStatus(f.status(), f.message(), f.unprocessed(), f.trace());
    }

    /** The exception that stands for {@code status}: its subtype where it has one. */
    static RpcException forStatus(Status status, String m, boolean u, dev.hermod.RemoteTraceback trace) {
        switch (status) {
            case UNAVAILABLE: return Failures.connection(m, null, u);
            case TIMEOUT: return Failures.timeout(m, null, u);
            case CANCELED: return Failures.canceled(m, null, u);
            case SERVICE_NOT_FOUND: return Failures.serviceNotFound(m, null, true);
            case OPERATION_NOT_FOUND: return Failures.operationNotFound(m, null, true);
            case MARSHAL: return Failures.marshal(m, null, u);
            case REMOTE_FAILURE: return new RemoteException(m, trace);
            case PROTOCOL_ERROR: return Failures.protocol(m, null, u);
            case OBJECT_NOT_FOUND: return new ObjectNotFoundException(m, null);
            default: return Failures.rpc(status, m, trace, u);
        }
    }

    /**
     * A fresh exception of the same class as {@code e}, with {@code e} as its cause, created in the
     * calling thread so that its stack trace shows the caller's frames (JDK HttpClient.send does
     * the same).
     */
    public static RpcException forCaller(RpcException e) {
        return copy(e, e.isUnprocessed());
    }

    /**
     * The same failure with the unprocessed flag set to {@code unprocessed}: {@code e} itself if
     * it already says so, otherwise a copy as {@link #forCaller} makes.
     */
    static RpcException withUnprocessed(RpcException e, boolean unprocessed) {
        return e.isUnprocessed() == unprocessed ? e : copy(e, unprocessed);
    }

    /** A fresh exception of the same class as {@code e}, with {@code e} as its cause. */
    private static RpcException copy(RpcException e, boolean u) {
        String m = e.getMessage();
        if (e instanceof RemoteException r) {
            // The cause that matters is the remote traceback, not the I/O thread's frames.
            return new RemoteException(m, r.traceback().orElse(null));
        } else if (e instanceof ConnectionException) {
            return Failures.connection(m, e, u);
        } else if (e instanceof InvocationTimeoutException) {
            return Failures.timeout(m, e, u);
        } else if (e instanceof InvocationCanceledException) {
            return Failures.canceled(m, e, u);
        } else if (e instanceof ServiceNotFoundException) {
            return Failures.serviceNotFound(m, e, u);
        } else if (e instanceof OperationNotFoundException) {
            return Failures.operationNotFound(m, e, u);
        } else if (e instanceof MarshalException) {
            return Failures.marshal(m, e, u);
        } else if (e instanceof ProtocolException) {
            return Failures.protocol(m, e, u);
        } else if (e instanceof ObjectNotFoundException) {
            return new ObjectNotFoundException(m, e);
        }
        return Failures.rpc(e.status(), m, e, u);
    }

    /** The cause of a {@link java.util.concurrent.CompletionException}, or {@code t} itself. */
    public static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** The same failure, marked as certainly unprocessed: the request was never written. */
    static RpcException unsent(RpcException cause) {
        if (cause.isUnprocessed()) {
            return cause;
        }
        String m = cause.getMessage() + " (before the request was sent)";
        if (cause instanceof ProtocolException) {
            return Failures.protocol(m, cause, true);
        }
        if (cause.status() == Status.UNAVAILABLE) {
            return Failures.connection(m, cause, true);
        }
        return Failures.rpc(cause.status(), m, cause, true);
    }
}
