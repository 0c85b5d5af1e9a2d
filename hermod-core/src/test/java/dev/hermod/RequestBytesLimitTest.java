package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Server.Builder#maxRequestBytesPerConnection}: a request alone is always taken, however
 * its size compares with the limit; only others held beside it may have it refused.
 */
final class RequestBytesLimitTest {

    @Remote
    public interface Sizes {
        int size(byte[] data);
    }

    private Server server;
    private Client client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void requestAboveTheConnectionsByteLimit_aloneOnItsConnection_isTaken() {
        server = Hermod.server().host("127.0.0.1").maxRequestBytesPerConnection(64 * 1024)
                .add("sizes", Sizes.class, data -> data.length).start();
        client = Hermod.client("tcp://127.0.0.1:" + server.port());
        Sizes sizes = client.proxy(Sizes.class, "sizes");

        // Before the fix: RESOURCE_EXHAUSTED, as the frame's length prefix counted as another request's bytes.
        assertThat(sizes.size(new byte[200_000])).isEqualTo(200_000);
        assertThat(sizes.size(new byte[1_000_000])).isEqualTo(1_000_000);
    }
}
