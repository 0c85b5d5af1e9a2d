package dev.hermod.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hermod.AsyncResult;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.ObjectNotFoundException;
import dev.hermod.Remote;
import dev.hermod.Server;
import dev.hermod.tools.CompanionOf;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request pipelined on another ({@code ^k}) runs on the object k returns only when k's
 * operation returns an object reference. An operation that returns a {@code long} returns a
 * number, even one that happens to be the id of an object the connection exports: a request
 * pipelined on it is refused, and never runs on that object.
 */
public final class PipelinedOnValueTest {
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);

    @Remote
    public interface Item {
        String name();
    }

    @Remote
    public interface Shop {
        /** An object the connection exports: the first, so its id is 1. */
        Item item();

        /** 1, a plain number. */
        long number();
    }

    @CompanionOf(Shop.class)
    public interface ShopAsync {
        AsyncResult<Item> item();

        AsyncResult<Long> number();
    }

    private Server server;
    private Client client;

    @AfterEach
    void tearDown() {
        Invocation.beforeUnserved = null;
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pipelinedOnAnOperationReturningLong_isRefused_evenWhenTheNumberIsAnExportedObjectsId() throws Exception {
        Item exported = () -> "exported";
        server = Hermod.server().host("127.0.0.1").add("shop", Shop.class, new Shop() {
            @Override
            public Item item() {
                return exported;
            }

            @Override
            public long number() {
                return 1;
            }
        }).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        Shop shop = client.proxy(Shop.class, "shop");
        assertThat(shop.item().name()).isEqualTo("exported"); // exported on this connection as @1

        // number()'s replying thread waits, still counted as served, until a request pipelined on it waits too.
        AtomicInteger answering = new AtomicInteger();
        int port = server.port();
        Invocation.beforeUnserved = (connection, id) -> {
            // The hook is the JVM's: a server an earlier test class left running may reach it first.
            if (!(connection.link.localAddress() instanceof java.net.InetSocketAddress local)
                    || local.getPort() != port || !answering.compareAndSet(0, id)) {
                return;
            }
            long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
            while (!connection.pipelines.anyWaiting() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            // The pipelined request says it waits before it looks whether this one is served
            // (Pipelines#arrived, under the lock): wait until it has looked, and parked, before
            // this one stops counting as served. Without this, it could look just after, and be
            // refused as pipelined on a request not served at all (a CI run saw that).
            synchronized (connection.pipelines) {
                // entered once the pipelined request's arrival has run: it has parked by now
            }
        };
        AsyncResult<Long> number = client.proxy(ShopAsync.class, "shop").number();
        await().atMost(ANSWER_WITHIN).until(() -> answering.get() != 0);
        Item pipelined = Hermod.withOptions(client.proxy(Item.class, "^" + answering.get()),
                o -> o.withTimeout(ANSWER_WITHIN));

        // Before the fix it ran on @1 and returned "exported".
        assertThatThrownBy(pipelined::name).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("is not an object reference");
        assertThat(number.value()).isEqualTo(1L);
    }
}
