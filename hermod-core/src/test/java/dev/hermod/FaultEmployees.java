package dev.hermod;

import java.util.function.IntConsumer;

/**
 * The {@link EmployeesImpl} fixture with two observation points for fault tests: a hook that runs
 * when a {@link #slowEcho} call reaches the servant, so a test knows its calls are in flight
 * before it breaks something, and a {@link #whoAmI} that also names the peer, so a test can tell
 * whether two calls used the same connection.
 */
final class FaultEmployees extends EmployeesImpl {
    private final IntConsumer onSlowEcho;

    FaultEmployees(IntConsumer onSlowEcho) {
        this.onSlowEcho = onSlowEcho;
    }

    FaultEmployees() {
        this(value -> {});
    }

    @Override
    public int slowEcho(int value, long sleepMillis) {
        onSlowEcho.accept(value);
        return super.slowEcho(value, sleepMillis);
    }

    @Override
    public String whoAmI() {
        return super.whoAmI() + " peer=" + Current.get().peer();
    }
}
