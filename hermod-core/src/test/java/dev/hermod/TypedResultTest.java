package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.hermod.flow.Window;
import dev.hermod.tools.CompanionOf;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The typed results ({@link AsyncResult.Throwing}, {@link AsyncResult.Throwing2}) over loopback:
 * their {@code value()} throws what the operation declares and nothing checked besides, so test
 * methods here that call it declare no {@code throws} clause, and compiling them is half the test.
 */
final class TypedResultTest {
    /** Two checked exceptions, an answer-later operation, and a declared InterruptedException. */
    @Remote
    public interface Lookup {
        String find(String key) throws NoSuchEmployee, TimeoutException;

        CompletionStage<String> later(String key) throws NoSuchEmployee;

        void nap() throws InterruptedException;

        int hold(long millis);

        /** A parameterized result and a checked exception: no typed result to check here. */
        List<String> keys(String prefix) throws NoSuchEmployee;
    }

    /** As the annotation processor writes it. */
    @CompanionOf(Lookup.class)
    public interface LookupAsync {
        AsyncResult.Throwing2<String, NoSuchEmployee, TimeoutException> find(String key);

        AsyncResult.Throwing<String, NoSuchEmployee> later(String key);

        AsyncResult.Throwing<Void, InterruptedException> nap();

        AsyncResult.Throwing<Integer, RuntimeException> hold(long millis);

        AsyncResult.Throwing<List<String>, NoSuchEmployee> keys(String prefix);
    }

    /** Finds "ada"; "late" times out; "io" fails with an IOException the contract does not declare. */
    static final class LookupImpl implements Lookup {
        @Override
        public String find(String key) throws NoSuchEmployee, TimeoutException {
            switch (key) {
                case "ada":
                    return "Ada";
                case "late":
                    throw new TimeoutException("too late for " + key);
                case "io":
                    throw LookupImpl.<RuntimeException>sneaky(new IOException("disk gone"));
                default:
                    throw new NoSuchEmployee(key.length());
            }
        }

        @Override
        public CompletionStage<String> later(String key) {
            return key.equals("io") ? CompletableFuture.failedFuture(new IOException("disk gone later"))
                    : CompletableFuture.completedFuture(key.toUpperCase(java.util.Locale.ROOT));
        }

        @Override
        public void nap() throws InterruptedException {
            throw new InterruptedException("the servant was woken");
        }

        @Override
        public int hold(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        }

        @Override
        public List<String> keys(String prefix) throws NoSuchEmployee {
            if (prefix.isEmpty()) {
                throw new NoSuchEmployee(0);
            }
            return List.of(prefix + "1", prefix + "2");
        }

        /** Throws a checked exception past the compiler, as code in another JVM language can. */
        @SuppressWarnings("unchecked")
        private static <E extends Throwable> E sneaky(Throwable t) throws E {
            throw (E) t;
        }
    }

    private static Server server;
    private static Client client;
    private static LookupAsync lookup;

    @BeforeAll
    static void start() {
        server = Hermod.server().host("127.0.0.1").add("lookup", Lookup.class, new LookupImpl()).start();
        client = TestServers.client(server);
        lookup = client.proxy(LookupAsync.class, "lookup");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void value_twoDeclaredExceptions_eachCaughtAsItself() {
        try {
            lookup.find("nobody").value();
            fail("expected NoSuchEmployee");
        } catch (NoSuchEmployee e) {
            assertThat(e.number()).isEqualTo(6);
        } catch (TimeoutException e) {
            fail("wrong exception", e);
        }
        try {
            lookup.find("late").value();
            fail("expected TimeoutException");
        } catch (NoSuchEmployee e) {
            fail("wrong exception", e);
        } catch (TimeoutException e) {
            assertThat(e).hasMessage("too late for late");
        }
    }

    @Test
    void parameterizedResultWithCheckedException_syncAndTyped_bothWork() throws NoSuchEmployee {
        assertThat(client.proxy(Lookup.class, "lookup").keys("k")).containsExactly("k1", "k2");
        assertThat(lookup.keys("k").value()).containsExactly("k1", "k2");
        assertThatThrownBy(() -> lookup.keys("").value()).isInstanceOf(NoSuchEmployee.class);
    }

    @Test
    void value_noDeclaredException_needsNoCatch() {
        assertThat(lookup.hold(0).value()).isEqualTo(1);
    }

    @Test
    void value_servantThrowsUndeclaredCheckedException_arrivesAsRemoteException() {
        AsyncResult.Throwing2<String, NoSuchEmployee, TimeoutException> r = lookup.find("io");
        RuntimeException thrown = null;
        try {
            r.value();
        } catch (NoSuchEmployee | TimeoutException e) {
            fail("an undeclared exception must not arrive as a declared one", e);
        } catch (RuntimeException e) {
            thrown = e;
        }
        assertThat(thrown).isInstanceOf(RemoteException.class);
        RemoteException remote = (RemoteException) thrown;
        assertThat(remote.remoteClassName()).isEqualTo("java.io.IOException");
        assertThat(remote.traceback()).hasValueSatisfying(t -> assertThat(t.message()).contains("disk gone"));
    }

    @Test
    void value_answerLaterFailsWithUndeclaredCheckedException_arrivesAsRemoteException() {
        AsyncResult.Throwing<String, NoSuchEmployee> r = lookup.later("io");
        try {
            r.value();
            fail("expected a RemoteException");
        } catch (NoSuchEmployee e) {
            fail("an undeclared exception must not arrive as a declared one", e);
        } catch (RemoteException e) {
            assertThat(e.remoteClassName()).isEqualTo("java.io.IOException");
        }
    }

    @Test
    void value_declaredInterruptedException_isTheServantsNotAnInterrupt() {
        AsyncResult.Throwing<Void, InterruptedException> r = lookup.nap();
        try {
            r.value();
            fail("expected the declared InterruptedException");
        } catch (InterruptedException e) {
            assertThat(e).hasMessage("the servant was woken");
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(r.isCancelled()).isFalse();
    }

    @Test
    void syncCall_declaredInterruptedException_isTheServantsNotAnInterrupt() {
        Lookup sync = client.proxy(Lookup.class, "lookup");
        assertThatThrownBy(sync::nap)
                .isExactlyInstanceOf(InterruptedException.class)
                .hasMessage("the servant was woken");
        assertThat(Thread.interrupted()).as("the caller was not interrupted").isFalse();
    }

    @Test
    void value_waitingThreadInterrupted_cancelsAndThrowsUncheckedCanceled() {
        AsyncResult.Throwing<Integer, RuntimeException> r = lookup.hold(10_000);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(r::value)
                    .isInstanceOf(InvocationCanceledException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(r.isCancelled()).isTrue();
        assertThat(r.isDone()).isTrue();
    }

    @Test
    void fluentMethods_keepTheTypedResult() {
        AtomicReference<String> seen = new AtomicReference<>();
        String name;
        try {
            name = lookup.find("ada")
                    .expireAfter(Duration.ofSeconds(30))
                    .onResponse(seen::set)
                    .onException(e -> { })
                    .onComplete((v, e) -> { })
                    .onSent(sync -> { })
                    .onProgress(p -> { })
                    .value();
        } catch (NoSuchEmployee | TimeoutException e) {
            throw new AssertionError(e);
        }
        assertThat(name).isEqualTo("Ada");
        org.awaitility.Awaitility.await().until(() -> "Ada".equals(seen.get()));
    }

    @Test
    void windowAndCombinators_acceptAndKeepTypedResults() throws Exception {
        Window window = Window.of(2);
        AsyncResult.Throwing<Integer, RuntimeException> kept = window.submit(() -> lookup.hold(0));
        assertThat(kept.value()).isEqualTo(1);
        List<AsyncResult.Throwing2<String, NoSuchEmployee, TimeoutException>> both =
                List.of(lookup.find("ada"), lookup.find("ada"));
        assertThat(AsyncResult.all(both).get()).containsExactly("Ada", "Ada");
        assertThat(AsyncResult.any(both).get()).isEqualTo("Ada");
        AsyncResult<String> broad = lookup.find("ada"); // the common supertype still takes it
        assertThat(broad.toCompletableFuture().get()).isEqualTo("Ada");
        window.awaitAll(Duration.ofSeconds(10));
    }

    // --- hand-written companions are checked like generated ones ---

    /** Catches NoSuchEmployee only, but find also declares TimeoutException. */
    @CompanionOf(Lookup.class)
    public interface MissesOne {
        AsyncResult.Throwing<String, NoSuchEmployee> find(String key);
    }

    /** Names an exception the operation does not declare instead of the one it does. */
    @CompanionOf(Lookup.class)
    public interface WrongOne {
        AsyncResult.Throwing<String, IOException> later(String key);
    }

    /** Covers both with their common superclass, or keeps the broad AsyncResult: both fine. */
    @CompanionOf(Lookup.class)
    public interface Broader {
        AsyncResult.Throwing<String, Exception> find(String key);

        AsyncResult<String> later(String key);

        AsyncResult.Throwing2<Void, InterruptedException, IOException> nap();
    }

    @Test
    void proxy_typedResultMissingADeclaredException_throwsNamingMethod() {
        assertThatThrownBy(() -> client.proxy(MissesOne.class, "lookup"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lets value() throw only NoSuchEmployee, but the operation declares"
                        + " java.util.concurrent.TimeoutException")
                .hasMessageEndingWith("(for method MissesOne.find(String))");
        assertThatThrownBy(() -> client.proxy(WrongOne.class, "lookup"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lets value() throw only IOException, but the operation declares"
                        + " dev.hermod.NoSuchEmployee")
                .hasMessageEndingWith("(for method WrongOne.later(String))");
    }

    @Test
    void proxy_typedResultCoveringTheDeclaredExceptions_works() throws Exception {
        Broader broader = client.proxy(Broader.class, "lookup");
        assertThat(broader.find("ada").value()).isEqualTo("Ada");
        assertThat(broader.later("x").value()).isEqualTo("X");
        assertThatThrownBy(() -> broader.nap().value()).isInstanceOf(InterruptedException.class);
    }
}
