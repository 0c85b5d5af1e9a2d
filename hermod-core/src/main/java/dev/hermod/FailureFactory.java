package dev.hermod;

import dev.hermod.internal.bridge.Failures;
import java.util.List;

/** Makes the exceptions whose flags only Hermod sets, for the runtime ({@link Failures}). Stateless. */
final class FailureFactory implements Failures.Factory {

    @Override
    public RpcException rpc(Status status, String message, Throwable cause, boolean unprocessed) {
        return new RpcException(status, message, cause, unprocessed);
    }

    @Override
    public ConnectionException connection(String message, Throwable cause, boolean unprocessed) {
        return new ConnectionException(message, cause, unprocessed);
    }

    @Override
    public InvocationTimeoutException timeout(String message, Throwable cause, boolean unprocessed) {
        return new InvocationTimeoutException(message, cause, unprocessed);
    }

    @Override
    public InvocationCanceledException canceled(String message, Throwable cause, boolean unprocessed) {
        return new InvocationCanceledException(message, cause, unprocessed);
    }

    @Override
    public ServiceNotFoundException serviceNotFound(String message, Throwable cause, boolean unprocessed) {
        return new ServiceNotFoundException(message, cause, unprocessed);
    }

    @Override
    public OperationNotFoundException operationNotFound(String message, Throwable cause, boolean unprocessed) {
        return new OperationNotFoundException(message, cause, unprocessed);
    }

    @Override
    public MarshalException marshal(String message, Throwable cause, boolean unprocessed) {
        return new MarshalException(message, cause, unprocessed);
    }

    @Override
    public ProtocolException protocol(String message, Throwable cause, boolean unprocessed) {
        return new ProtocolException(message, cause, unprocessed);
    }

    @Override
    public QuorumException quorum(int required, int total, List<Throwable> failures) {
        return new QuorumException(required, total, failures);
    }

    @Override
    public RemoteTraceback traceback(String className, String message, List<StackTraceElement> frames,
            RemoteTraceback cause) {
        return new RemoteTraceback(className, message, frames, cause);
    }
}
