package dev.hermod.internal.transport;

import dev.hermod.RpcException;
import java.util.concurrent.atomic.AtomicInteger;

/** A pool member for the pool's own tests: always usable, never closed, with a count of calls the test sets. */
final class TestMember implements ConnectionPool.Member {
    final AtomicInteger pending = new AtomicInteger();

    @Override
    public boolean isUsable() {
        return true;
    }

    @Override
    public int pendingCalls() {
        return pending.get();
    }

    @Override
    public boolean isClosed() {
        return false;
    }

    @Override
    public void closeWhenIdle() {}

    @Override
    public void close(RpcException cause) {}
}
