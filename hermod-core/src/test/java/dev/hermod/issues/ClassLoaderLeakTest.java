package dev.hermod.issues;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.ChildFirstLoader;
import dev.hermod.Client;
import dev.hermod.Counter;
import dev.hermod.Hermod;
import dev.hermod.Server;
import dev.hermod.ServiceNotFoundException;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: Hermod's caches of contracts and codecs kept an application's class loader alive
 * after the application was dropped (a redeploy in a container), through the classes they were
 * keyed by. A contract loaded by a throw-away loader is used over loopback by a client that stays,
 * then everything the "application" held is dropped: the loader must be collected.
 */
final class ClassLoaderLeakTest {
    private static final String PACKAGE = "dev.hermod.issues.leak.";

    @Test
    void contractOfADroppedClassLoader_isCollected_whileTheClientStays() throws Exception {
        Server other = Hermod.server().host("127.0.0.1").add("counter", Counter.class, () -> 1).start();
        try (Client longLived = Hermod.client("tcp://127.0.0.1:" + other.port())) {
            WeakReference<ClassLoader> loader = useContractInThrowAwayLoader(longLived);

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                System.gc();
                return loader.get() == null;
            });
            assertThat(loader.get()).as("the throw-away class loader after everything using it was dropped").isNull();
        } finally {
            other.close();
        }
    }

    /**
     * Loads the contract, its value type and its servant in a new loader, serves it, calls it
     * through a proxy of {@code client} and through a client of its own, then drops all of it.
     */
    private static WeakReference<ClassLoader> useContractInThrowAwayLoader(Client client) throws Exception {
        ClassLoader app = new ChildFirstLoader("throw-away", PACKAGE, ClassLoaderLeakTest.class.getClassLoader());
        Class<?> contract = app.loadClass(PACKAGE + "Greetings");
        Class<?> value = app.loadClass(PACKAGE + "Greeting");
        assertThat(contract.getClassLoader()).isSameAs(app);
        Object servant = app.loadClass(PACKAGE + "GreetingsImpl").getDeclaredConstructor().newInstance();
        Object greeting = value.getDeclaredConstructors()[0].newInstance("ada", 1);
        Method greet = contract.getMethod("greet", value);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Server server = Hermod.server().host("127.0.0.1").add("greetings", (Class) contract, servant).start();
        try (Client own = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Object reply = greet.invoke(own.proxy(contract, "greetings"), greeting);
            assertThat(component(reply, "to")).isEqualTo("hello ada");
            // The long-lived client reads the same contract and encodes the same types; its server
            // serves no such service.
            Object proxy = client.proxy(contract, "greetings");
            assertThatThrownBy(() -> greet.invoke(proxy, greeting))
                    .hasCauseInstanceOf(ServiceNotFoundException.class);
        } finally {
            server.close();
        }
        return new WeakReference<>(app);
    }

    private static Object component(Object record, String name) throws Exception {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            if (c.getName().equals(name)) {
                return c.getAccessor().invoke(record);
            }
        }
        throw new AssertionError("no component " + name);
    }
}
