package dev.hermod;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on loopback between a client and a server, for tests: it counts the bytes each
 * way (counted before they are passed on, so a reply implies its count), and it can cut the
 * connections it carries as a failing network would: at once, or at the next bytes the server
 * sends (a reply lost after the server made it). Each connection it accepts gets one to the server.
 */
public final class Relay implements AutoCloseable {
    private final ServerSocket listener;
    private final int serverPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cutOnReply = new AtomicBoolean();
    private volatile boolean holdReplies;
    /** Set by {@link #close} before it cuts: a connection accepted meanwhile is cut by the accept loop. */
    private volatile boolean closed;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicLong toServer = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();

    /** Listens on a free loopback port, relaying to {@code serverPort} on loopback. */
    public Relay(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "relay-accept");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return accepted.get();
    }

    /** Times the relay cut its connections. */
    public int cuts() {
        return cuts.get();
    }

    /** Drops the next bytes any server sends, and cuts every connection then. */
    public void cutOnNextReply() {
        cutOnReply.set(true);
    }

    /**
     * Cuts every connection now, with a reset on both sides. Counting the cut comes first: a pump
     * that sees the count changed passes nothing more on, for a socket closed by another thread may
     * still take a write (JDK 25 marks it closed before it resets the connection).
     */
    public void cutAll() {
        cuts.incrementAndGet();
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
            sockets.remove(s); // not clear(): a connection accepted meanwhile stays listed, to be cut
        }
    }

    /**
     * Stops passing on what servers send (after what it has read, which {@link #toClient()}
     * counts), or starts again: the servers' replies back up into their sockets, as behind a
     * client that stopped reading.
     */
    public void holdReplies(boolean hold) {
        holdReplies = hold;
    }

    /** Bytes passed from clients to the server since the last {@link #reset()}. */
    public long toServer() {
        return toServer.get();
    }

    /** Bytes passed from the server to clients since the last {@link #reset()}. */
    public long toClient() {
        return toClient.get();
    }

    /** Starts counting bytes from zero. */
    public void reset() {
        toServer.set(0);
        toClient.set(0);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                if (closed) { // closed while this one was being accepted: it must not outlive the relay
                    cutAll();
                    return;
                }
                accepted.incrementAndGet();
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromServer) {
        int cutsBefore = cuts.get(); // read before the pump's thread starts: a cut from now on ends it
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (fromServer && cutOnReply.compareAndSet(true, false)) {
                        cutAll();
                        return;
                    }
                    (fromServer ? toClient : toServer).addAndGet(n);
                    while (fromServer && holdReplies && !to.isClosed()) {
                        Thread.sleep(1);
                    }
                    if (cuts.get() != cutsBefore) {
                        return; // cut while these bytes were read or held: they are lost, as on a failed network
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut, or closed by an end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        cutAll();
    }
}
