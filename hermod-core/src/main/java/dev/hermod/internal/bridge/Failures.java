package dev.hermod.internal.bridge;

import dev.hermod.ConnectionException;
import dev.hermod.InvocationCanceledException;
import dev.hermod.InvocationTimeoutException;
import dev.hermod.MarshalException;
import dev.hermod.OperationNotFoundException;
import dev.hermod.ProtocolException;
import dev.hermod.QuorumException;
import dev.hermod.RemoteTraceback;
import dev.hermod.RpcException;
import dev.hermod.ServiceNotFoundException;
import dev.hermod.Status;
import java.lang.invoke.MethodHandles;
import java.util.List;

/**
 * Makes the API's exceptions with what only Hermod may set: whether a request was certainly
 * unprocessed, and a remote traceback. Their constructors that take these are not public; the
 * API registers a {@link Factory} here when {@link RpcException} is initialized, as the JDK's
 * {@code SharedSecrets} does for its own packages. Every layer may use it. Thread-safe.
 */
public final class Failures {

    /** The constructors, implemented in the API package. */
    public interface Factory {
        RpcException rpc(Status status, String message, Throwable cause, boolean unprocessed);

        ConnectionException connection(String message, Throwable cause, boolean unprocessed);

        InvocationTimeoutException timeout(String message, Throwable cause, boolean unprocessed);

        InvocationCanceledException canceled(String message, Throwable cause, boolean unprocessed);

        ServiceNotFoundException serviceNotFound(String message, Throwable cause, boolean unprocessed);

        OperationNotFoundException operationNotFound(String message, Throwable cause, boolean unprocessed);

        MarshalException marshal(String message, Throwable cause, boolean unprocessed);

        ProtocolException protocol(String message, Throwable cause, boolean unprocessed);

        QuorumException quorum(int required, int total, List<Throwable> failures);

        RemoteTraceback traceback(String className, String message, List<StackTraceElement> frames,
                RemoteTraceback cause);
    }

    private static volatile Factory factory;

    private Failures() {}

    /** Called once, by {@code RpcException}'s static initializer; later calls change nothing. */
    public static synchronized void register(Factory f) {
        if (factory == null) {
            factory = f;
        }
    }

    private static Factory factory() {
        Factory f = factory;
        if (f == null) {
            try {
                MethodHandles.lookup().ensureInitialized(RpcException.class); // registers the factory
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            f = factory;
        }
        return f;
    }

    /** A failure of the given status, of no more specific type. */
    public static RpcException rpc(Status status, String message, Throwable cause, boolean unprocessed) {
        return factory().rpc(status, message, cause, unprocessed);
    }

    public static ConnectionException connection(String message, Throwable cause, boolean unprocessed) {
        return factory().connection(message, cause, unprocessed);
    }

    public static InvocationTimeoutException timeout(String message, Throwable cause, boolean unprocessed) {
        return factory().timeout(message, cause, unprocessed);
    }

    public static InvocationCanceledException canceled(String message, Throwable cause, boolean unprocessed) {
        return factory().canceled(message, cause, unprocessed);
    }

    public static ServiceNotFoundException serviceNotFound(String message, Throwable cause, boolean unprocessed) {
        return factory().serviceNotFound(message, cause, unprocessed);
    }

    public static OperationNotFoundException operationNotFound(String message, Throwable cause,
            boolean unprocessed) {
        return factory().operationNotFound(message, cause, unprocessed);
    }

    public static MarshalException marshal(String message, Throwable cause, boolean unprocessed) {
        return factory().marshal(message, cause, unprocessed);
    }

    public static ProtocolException protocol(String message, Throwable cause, boolean unprocessed) {
        return factory().protocol(message, cause, unprocessed);
    }

    /** {@code AsyncResult.quorum} could no longer reach {@code required} successes. */
    public static QuorumException quorum(int required, int total, List<Throwable> failures) {
        return factory().quorum(required, total, failures);
    }

    /** A remote exception as data: class name, message, frames (innermost first) and remote cause. */
    public static RemoteTraceback traceback(String className, String message, List<StackTraceElement> frames,
            RemoteTraceback cause) {
        return factory().traceback(className, message, frames, cause);
    }
}
