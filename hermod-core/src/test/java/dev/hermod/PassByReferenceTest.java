package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Server.Builder#passByReference}: in process and in one class loader, arguments and
 * results are the objects themselves, never copies through the codec; anywhere else, and with
 * the option off, calls are encoded.
 */
final class PassByReferenceTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Keeps what it is given, and says so. */
    static final class ShelfImpl implements Shelf {
        volatile Item last;

        @Override
        public Item put(Item item) {
            last = item;
            return item;
        }

        @Override
        public Item last() {
            return last;
        }

        @Override
        public Item refuse(Item item) throws NoSuchEmployee {
            throw new NoSuchEmployee("no shelf for " + item.getName());
        }
    }

    private final ShelfImpl shelf = new ShelfImpl();

    private Server start(boolean byReference) {
        return Hermod.server().inProcess("by-reference-" + NAMES.incrementAndGet()).passByReference(byReference)
                .add("shelf", Shelf.class, shelf).start();
    }

    @Test
    void call_handsTheArgumentAndTheResultOver_asTheVeryObjects() {
        try (Server server = start(true); Client client = Hermod.client(server.target())) {
            Shelf proxy = client.proxy(Shelf.class, "shelf");
            Shelf.Item item = new Shelf.Item("jar");

            Shelf.Item returned = proxy.put(item);

            assertThat(shelf.last).isSameAs(item);
            assertThat(returned).isSameAs(item);
            shelf.last.setName("changed by the servant"); // shared, not copied: the caller sees it
            assertThat(item.getName()).isEqualTo("changed by the servant");
        }
    }

    @Test
    void dynamicInvocation_isEncoded() throws Exception {
        try (Server server = start(true); Client client = Hermod.client(server.target())) {
            Shelf.Item item = new Shelf.Item("pot");
            client.proxy(Shelf.class, "shelf").put(item);

            AsyncResult<Object> r = client.invoke("shelf", "last");

            assertThat(r.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNotSameAs(item); // dynamic: encoded, as plain data
            assertThat(client.proxy(Shelf.class, "shelf").last()).isSameAs(item);
        }
    }

    @Test
    void valueTheCodecCannotCarry_goesThrough_onlyByReference() {
        Shelf.Item loop = new Shelf.Item("loop");
        loop.setNext(loop); // a cycle: the codec refuses it
        try (Server server = start(true); Client client = Hermod.client(server.target())) {
            assertThat(client.proxy(Shelf.class, "shelf").put(loop)).isSameAs(loop);
        }
        try (Server server = start(false); Client client = Hermod.client(server.target())) {
            Shelf proxy = client.proxy(Shelf.class, "shelf");
            assertThatThrownBy(() -> proxy.put(loop)).isInstanceOf(MarshalException.class);
        }
    }

    @Test
    void optionOff_copiesThroughTheCodec() {
        try (Server server = start(false); Client client = Hermod.client(server.target())) {
            Shelf.Item item = new Shelf.Item("cup");

            Shelf.Item returned = client.proxy(Shelf.class, "shelf").put(item);

            assertThat(shelf.last).isNotSameAs(item).extracting(Shelf.Item::getName).isEqualTo("cup");
            assertThat(returned).isNotSameAs(item).isNotSameAs(shelf.last);
        }
    }

    @Test
    void declaredException_arrivesAsItDoesEncoded() {
        Throwable byReference = refusal(true);
        Throwable encoded = refusal(false);

        assertThat(byReference).isInstanceOf(NoSuchEmployee.class).hasMessage(encoded.getMessage());
        assertThat(byReference).hasSameClassAs(encoded);
        assertThat(String.valueOf(byReference.getCause())).isEqualTo(String.valueOf(encoded.getCause()));
    }

    private Throwable refusal(boolean byReference) {
        try (Server server = start(byReference); Client client = Hermod.client(server.target())) {
            Shelf proxy = client.proxy(Shelf.class, "shelf");
            Throwable[] thrown = new Throwable[1];
            assertThatThrownBy(() -> proxy.refuse(new Shelf.Item("vase"))).satisfies(e -> thrown[0] = e);
            return thrown[0];
        }
    }

    @Test
    void contractFromAnotherClassLoader_isEncoded() throws Exception {
        ClassLoader other = new ChildFirstLoader("other-application", Shelf.class.getName(), Shelf.class.getClassLoader());
        Class<?> otherShelf = other.loadClass(Shelf.class.getName());
        Class<?> otherItem = other.loadClass(Shelf.Item.class.getName());
        assertThat(otherShelf).isNotSameAs(Shelf.class);
        try (Server server = start(true); Client client = Hermod.client(server.target())) {
            Object proxy = client.proxy(otherShelf, "shelf");
            Object item = otherItem.getConstructor(String.class).newInstance("bowl");
            Method put = otherShelf.getMethod("put", otherItem);

            Object returned = put.invoke(proxy, item);

            assertThat(shelf.last).isInstanceOf(Shelf.Item.class).extracting(Shelf.Item::getName).isEqualTo("bowl");
            assertThat(returned).isNotSameAs(item).isInstanceOf(otherItem);
        }
    }

    @Test
    void resultAnInterceptorDecides_isHandedOver_too() {
        Shelf.Item decided = new Shelf.Item("decided");
        try (Server server = Hermod.server().inProcess("by-reference-" + NAMES.incrementAndGet())
                .passByReference(true).add("shelf", Shelf.class, shelf)
                .intercept(new dev.hermod.intercept.ServerInterceptor() {
                    @Override
                    public void onStart(dev.hermod.intercept.ServerCall call) {
                        call.respond(decided);
                    }
                }).start();
                Client client = Hermod.client(server.target())) {
            assertThat(client.proxy(Shelf.class, "shelf").put(new Shelf.Item("ignored"))).isSameAs(decided);
            assertThat(shelf.last).isNull();
        }
    }

    @Test
    void option_withoutAnInProcessServer_isRefused() {
        assertThatThrownBy(() -> Hermod.server().passByReference(true).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inProcess");
    }
}
