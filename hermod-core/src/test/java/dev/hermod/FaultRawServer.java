package dev.hermod;

import dev.hermod.connection.Connection;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake server on a raw {@link ServerSocket} (127.0.0.1, ephemeral port): it answers every
 * connection with fixed bytes, either at once or once the client has sent its preamble and first
 * frame, then never says anything again, and records what the client sends until the client
 * closes. Used to feed a Hermod client a peer that is not, or no longer, a good Hermod server.
 */
final class FaultRawServer implements AutoCloseable {
    private final ServerSocket listener;
    private final byte[] greeting;
    private final boolean afterFirstFrame;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** Starts listening; {@code greeting} is written to each accepted connection at once. */
    FaultRawServer(byte[] greeting) throws IOException {
        this(greeting, false);
    }

    /**
     * Starts listening. {@code greeting} is written to each accepted connection at once or, with
     * {@code afterFirstFrame}, once the client has sent 8 bytes of preamble and one whole frame
     * (as a server that reads a request before it answers).
     */
    FaultRawServer(byte[] greeting, boolean afterFirstFrame) throws IOException {
        this.greeting = greeting.clone();
        this.afterFirstFrame = afterFirstFrame;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-raw-server-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The target for a Hermod client. */
    String target() {
        return "tcp://127.0.0.1:" + port();
    }

    /** The connections accepted so far, oldest first. */
    List<Connection> connections() {
        return List.copyOf(connections);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Connection c = new Connection(s);
            connections.add(c);
            Thread reader = new Thread(c::serve, "fault-raw-server-conn-" + s.getPort());
            reader.setDaemon(true);
            reader.start();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Connection c : connections) {
            c.socket.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One accepted connection. */
    final class Connection {
        private final Socket socket;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private volatile boolean closed;

        private Connection(Socket socket) {
            this.socket = socket;
        }

        private void serve() {
            try {
                InputStream in = socket.getInputStream();
                if (afterFirstFrame) {
                    DataInputStream data = new DataInputStream(in);
                    byte[] preamble = new byte[8];
                    data.readFully(preamble);
                    int length = data.readInt();
                    byte[] frame = new byte[Math.max(0, Math.min(length, 1 << 20))];
                    data.readFully(frame);
                    synchronized (received) {
                        received.write(preamble);
                        received.write(ByteBuffer.allocate(4).putInt(length).array());
                        received.write(frame);
                    }
                }
                socket.getOutputStream().write(greeting);
                socket.getOutputStream().flush();
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) != -1; ) {
                    synchronized (received) {
                        received.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // reset by the client, or closed by close(): either way the connection is over
            } finally {
                closed = true;
                try {
                    socket.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        /** Tells whether the connection is over: closed or reset by the client, or by {@link #close()}. */
        boolean isClosed() {
            return closed;
        }

        /** What the client has sent so far. */
        byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }
    }
}
