package dev.hermod;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A raw TCP connection to a Hermod server that speaks (or breaks) the protocol by hand. Every read
 * is bounded: a server that neither answers nor closes fails the test instead of hanging it.
 */
final class FaultSocket implements AutoCloseable {
    static final Duration BOUND = Duration.ofSeconds(10);

    private final Socket socket;
    private final DataInputStream in;

    private FaultSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    static FaultSocket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout((int) BOUND.toMillis());
        s.setTcpNoDelay(true);
        return new FaultSocket(s);
    }

    /** Writes the bytes of all parts, in one flush. */
    FaultSocket send(byte[]... parts) throws IOException {
        socket.getOutputStream().write(FaultWire.concat(parts));
        socket.getOutputStream().flush();
        return this;
    }

    /** Reads the peer's preamble, checks its magic and returns its version. */
    int readPreamble() throws IOException {
        byte[] magic = new byte[4];
        readFully(magic);
        if (!Arrays.equals(magic, FaultWire.bytes('H', 'R', 'M', 'D'))) {
            throw new AssertionError("expected the preamble magic HRMD, got " + Arrays.toString(magic));
        }
        int version = in.readUnsignedShort();
        int flags = in.readUnsignedShort();
        if ((flags & 1) != 0) {
            FaultWire.Frame settings = readFrame(); // PROTOCOL.md section 3.1: the first frame
            if (settings.type() != FaultWire.SETTINGS) {
                throw new AssertionError("the preamble announced SETTINGS, the first frame is type " + settings.type());
            }
        }
        return version;
    }

    /** Reads the next frame that is not a heartbeat; fails if the connection closes first. */
    FaultWire.Frame nextFrame() throws IOException {
        while (true) {
            FaultWire.Frame f = readFrame();
            if (f == null) {
                throw new AssertionError("the server closed the connection instead of answering");
            }
            if (f.type() != FaultWire.PING && f.type() != FaultWire.PONG) {
                return f;
            }
        }
    }

    /**
     * Reads frames, heartbeats included, until the server closes the connection (end of stream or
     * reset) and returns them. Fails if the connection is still open after {@link #BOUND}.
     */
    List<FaultWire.Frame> readUntilClosed() throws IOException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        List<FaultWire.Frame> frames = new ArrayList<>();
        while (System.nanoTime() - deadline < 0) {
            FaultWire.Frame f = readFrame();
            if (f == null) {
                return frames;
            }
            frames.add(f);
        }
        throw new AssertionError("the connection was still open after " + BOUND + "; frames so far: " + frames);
    }

    /** Returns the next frame, or null if the server closed the connection before sending one. */
    private FaultWire.Frame readFrame() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException | SocketException closed) {
            return null; // a clean end of stream, or a reset
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither sent anything nor closed for " + BOUND, e);
        }
        if (length < 2) {
            throw new AssertionError("the server sent a frame length of " + length);
        }
        byte[] frame = new byte[length];
        readFully(frame);
        return new FaultWire.Frame(Byte.toUnsignedInt(frame[0]), Byte.toUnsignedInt(frame[1]),
                Arrays.copyOfRange(frame, 2, frame.length));
    }

    private void readFully(byte[] b) throws IOException {
        try {
            in.readFully(b);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server sent nothing for " + BOUND, e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
