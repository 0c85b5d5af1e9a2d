package dev.hermod;

/** {@link TransportBehaviours} over TCP on loopback. */
final class TcpBehavioursTest extends TransportBehaviours {
    @Override
    Server.Builder listen(Server.Builder builder) {
        return builder.host("127.0.0.1");
    }

    @Override
    String scheme() {
        return "tcp";
    }
}
