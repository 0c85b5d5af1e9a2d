package dev.hermod.abuse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake Hermod server that answers the preamble and then never reads another byte: whatever a
 * client sends it piles up in the client. For the client-side attack of the abuse suite.
 */
final class BlackHole implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    BlackHole() throws IOException {
        listener = new ServerSocket();
        listener.setReceiveBufferSize(16 * 1024);
        listener.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    accepted.add(s);
                    s.getOutputStream().write(AbuseWire.preamble());
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    return;
                }
            }
        }, "black-hole");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
