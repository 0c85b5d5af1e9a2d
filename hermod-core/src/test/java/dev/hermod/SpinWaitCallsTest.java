package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Client.Builder#spinWait}: threads that busy-wait for an outcome before they park get the
 * same outcomes as threads that park at once, over real TCP, whether the outcome comes while they
 * spin or after; a waiting thread interrupted while it spins still cancels its call.
 */
class SpinWaitCallsTest {
    private Server server;
    private final List<Client> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = Hermod.server().host("127.0.0.1").port(0).add("employees", Employees.class, new EmployeesImpl())
                .start();
    }

    @AfterEach
    void stop() {
        clients.forEach(Client::close);
        server.close();
    }

    private Client client(Duration spin) {
        Client.Builder b = Hermod.client().target("tcp://127.0.0.1:" + server.port());
        if (spin != null) {
            b.spinWait(spin);
        }
        Client c = b.build();
        clients.add(c);
        return c;
    }

    @Test
    void builder_refusesNegativeAndLongerThanASecond() {
        Client.Builder b = Hermod.client().target("tcp://127.0.0.1:1");
        assertThatThrownBy(() -> b.spinWait(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spinWait");
        assertThatThrownBy(() -> b.spinWait(Duration.ofMillis(1_001))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most a second");
        assertThatThrownBy(() -> b.spinWait(null)).isInstanceOf(NullPointerException.class);
        b.spinWait(Duration.ZERO).spinWait(Duration.ofSeconds(1)); // the bounds themselves are fine
    }

    /** -1: the default; 0: never spins; 1: a millisecond, shorter than the slow calls; 500: longer. */
    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 500})
    void waits_getEveryOutcome_whetherItComesWhileTheySpinOrAfter(int spinMillis) throws Exception {
        Client client = client(spinMillis < 0 ? null : Duration.ofMillis(spinMillis));
        Employees sync = client.proxy(Employees.class, "employees");
        EmployeesAsync async = client.proxy(EmployeesAsync.class, "employees");

        for (int i = 0; i < 200; i++) { // quick outcomes: over loopback, mostly while spinning
            assertThat(sync.slowEcho(i, 0)).isEqualTo(i);
            assertThat(async.slowEcho(i, 0).value()).isEqualTo(i);
            assertThat(async.slowEcho(i, 0).get(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
        for (int i = 0; i < 3; i++) { // slow ones: past a 1 ms spin, within a 500 ms one
            assertThat(sync.slowEcho(i, 20)).isEqualTo(i);
            assertThat(async.slowEcho(i, 20).value()).isEqualTo(i);
        }
        assertThatThrownBy(() -> sync.getName(-1)).isInstanceOf(NoSuchEmployee.class);
        assertThatThrownBy(() -> async.getName(-1).value()).isInstanceOf(NoSuchEmployee.class);
        AsyncResult<Integer> waited = async.slowEcho(7, 20);
        assertThat(waited.waitForCompleted(Duration.ofSeconds(10))).isTrue();
        assertThat(waited.value()).isEqualTo(7);
    }

    @Test
    void aTimedWait_endsAtItsTime_notAtTheSpinsLimit() throws Exception {
        EmployeesAsync async = client(Duration.ofSeconds(1)).proxy(EmployeesAsync.class, "employees");
        AsyncResult<Integer> slow = async.slowEcho(1, 5_000);

        assertThat(slow.waitForCompleted(Duration.ofMillis(1))).isFalse();
        assertThatThrownBy(() -> slow.get(0, TimeUnit.NANOSECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(slow.cancel()).isTrue();
    }

    @Test
    void interruptingASpinningWaiter_cancelsItsCall() throws Exception {
        Employees sync = client(Duration.ofSeconds(1)).proxy(Employees.class, "employees");
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                sync.slowEcho(1, 30_000);
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        });
        caller.start();
        Thread.sleep(50); // sent and waiting: spinning for up to a second, then parked
        caller.interrupt();

        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(InvocationCanceledException.class);
        assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).isTrue();
    }
}
