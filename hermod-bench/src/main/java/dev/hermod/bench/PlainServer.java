package dev.hermod.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain {@link ServerSocket} on 127.0.0.1 with one blocking thread per connection: the baseline
 * servers' shared plumbing. Threads are daemons; {@link #close()} closes every socket and waits
 * (boundedly) for the threads.
 */
final class PlainServer implements AutoCloseable {

    /** Serves one accepted connection until the peer closes it. */
    interface Handler {
        void serve(Socket socket) throws IOException;
    }

    private final ServerSocket listener;
    private final Handler handler;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile Throwable failure;

    PlainServer(String name, Handler handler) throws IOException {
        this.handler = handler;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        this.acceptor = new Thread(this::acceptLoop, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Opens a client connection to this server with TCP_NODELAY on, as Hermod sets it. Reads have
     * no timeout: a caller that reads on its main thread sets one.
     */
    Socket connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(listener.getLocalSocketAddress(), 5_000);
        return s;
    }

    private void acceptLoop() {
        int n = 0;
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(s);
            Thread t = new Thread(() -> {
                try {
                    // No read timeout: the connection idles while the Hermod side of a scenario runs.
                    s.setTcpNoDelay(true);
                    handler.serve(s);
                } catch (IOException e) {
                    if (!closed && !(e instanceof SocketException || e instanceof java.io.EOFException)) {
                        failure = e;
                    }
                } catch (RuntimeException | Error e) {
                    failure = e;
                } finally {
                    closeQuietly(s);
                }
            }, acceptor.getName().replace("-accept", "-conn-" + n++));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** What made a connection thread fail, if anything did. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        join(acceptor);
        for (Thread t : threads) {
            join(t);
        }
    }

    /** Waits up to 5 s for a thread whose socket was closed; keeps an interrupt for the caller. */
    static void join(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing to stop: nothing to do about a failure here
        }
    }
}
