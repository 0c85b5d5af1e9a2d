package dev.hermod;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The server's side of a raw Hermod connection, for tests that answer a real client with hand-made
 * frames: the handshake of protocol version 1, and GOAWAY frames. Stateless.
 */
public final class RawHandshake {
    private RawHandshake() {}

    /**
     * Reads the client's preamble and SETTINGS frame from {@code s} and answers with the server's
     * preamble; returns the stream, at the client's first frame after the handshake.
     */
    public static DataInputStream accept(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        in.readFully(new byte[8]); // the client's preamble
        in.readFully(new byte[in.readInt()]); // its SETTINGS
        out.write(new byte[] {'H', 'R', 'M', 'D', 0, 1, 0, 0});
        out.flush();
        return in;
    }

    /**
     * A GOAWAY frame with status 4 (UNAVAILABLE) and the message "bye": with its taken field (the
     * two-way requests the server took) unless {@code taken} is negative.
     */
    public static byte[] goAway(long taken) {
        byte[] message = "bye".getBytes(StandardCharsets.UTF_8);
        int bodyLength = 2 + 2 + message.length + (taken >= 0 ? 4 : 0);
        ByteBuffer b = ByteBuffer.allocate(6 + bodyLength).putInt(2 + bodyLength).put((byte) 8).put((byte) 0)
                .putShort((short) 4).putShort((short) message.length).put(message);
        if (taken >= 0) {
            b.putInt((int) taken);
        }
        return b.array();
    }
}
