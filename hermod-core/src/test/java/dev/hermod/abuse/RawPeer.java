package dev.hermod.abuse;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An attacker's raw TCP connection to the abuse server. It writes whatever bytes an attack
 * needs, and either reads and tallies the server's frames on a thread of its own, or, for the
 * attacks that consist in not reading, reads nothing at all. Writes that the server does not
 * take block, so attacks write from threads they can abandon.
 */
final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final AtomicLong replies = new AtomicLong();
    private final Map<Integer, AtomicLong> failures = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong bytesWritten = new AtomicLong();
    private volatile String goAway;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and sends the preamble. With {@code reading}, a thread reads and tallies every frame
     * the server sends until it closes; otherwise nothing is ever read.
     */
    static RawPeer connect(int port, boolean reading) throws IOException {
        return connect(port, reading, 0);
    }

    /** As {@link #connect(int, boolean)}, with a small receive buffer when {@code receiveBuffer > 0}. */
    static RawPeer connect(int port, boolean reading, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setTcpNoDelay(true);
        s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        RawPeer p = new RawPeer(s);
        p.write(AbuseWire.preamble());
        if (reading) {
            Thread t = new Thread(p::readLoop, "raw-peer-reader-" + s.getLocalPort());
            t.setDaemon(true);
            t.start();
        }
        return p;
    }

    /** Writes bytes; blocks while the server does not take them. */
    synchronized void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        bytesWritten.addAndGet(bytes.length);
    }

    long bytesWritten() {
        return bytesWritten.get();
    }

    /** Replies received so far (results, exceptions and failures). */
    long replies() {
        return replies.get();
    }

    /** Failure replies received so far with the given status number. */
    long failures(int status) {
        AtomicLong n = failures.get(status);
        return n == null ? 0 : n.get();
    }

    /** Failure replies received so far, of any status. */
    long failures() {
        return failures.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** The replies so far, for a failed assertion's message: how many, and the failures by status number. */
    String describeReplies() {
        return replies.get() + " replies, failures by status " + new java.util.TreeMap<>(failures);
    }

    /** The message of the GOAWAY the server sent, or null. */
    String goAway() {
        return goAway;
    }

    /** Waits until the server closes the connection (seen by the reading thread). */
    boolean awaitClosed(long millis) throws InterruptedException {
        return closed.await(millis, TimeUnit.MILLISECONDS);
    }

    boolean isClosedByServer() {
        return closed.getCount() == 0;
    }

    private void readLoop() {
        try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
            in.readFully(new byte[8]);
            while (true) {
                int length = in.readInt();
                byte[] frame = new byte[length];
                in.readFully(frame);
                int type = frame[0] & 0xFF;
                if (type == AbuseWire.REPLY) {
                    replies.incrementAndGet();
                    ByteBuffer b = ByteBuffer.wrap(frame, 2, frame.length - 2);
                    b.getInt();
                    if (b.get() == AbuseWire.OUTCOME_FAILURE) {
                        int status = Short.toUnsignedInt(b.getShort());
                        failures.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                    }
                } else if (type == AbuseWire.PING) {
                    write(AbuseWire.frame(AbuseWire.PONG, 0, java.util.Arrays.copyOfRange(frame, 2, frame.length)));
                } else if (type == AbuseWire.GOAWAY) {
                    ByteBuffer b = ByteBuffer.wrap(frame, 2, frame.length - 2);
                    b.getShort();
                    byte[] msg = new byte[Short.toUnsignedInt(b.getShort())];
                    b.get(msg);
                    goAway = new String(msg, java.nio.charset.StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            // end of stream or reset: the server closed the connection (or close() did)
        } finally {
            closed.countDown();
        }
    }

    /** Closes with a reset (SO_LINGER 0), as a peer that vanishes. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
