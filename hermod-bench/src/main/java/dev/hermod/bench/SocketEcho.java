package dev.hermod.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;

/**
 * The plain-socket echo server of the latency and throughput baselines. Frames are a 4-byte
 * big-endian length and that many bytes; each is sent back as it came. Replies are flushed when no
 * further request is already buffered, the usual way to serve a pipelining client efficiently.
 */
final class SocketEcho {
    private SocketEcho() {}

    static void serve(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
        byte[] buf = new byte[256];
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                return; // the client closed the connection
            }
            if (length < 0 || length > Options.MAX_PAYLOAD) {
                throw new IOException("bad frame length " + length);
            }
            if (length > buf.length) {
                buf = new byte[length];
            }
            in.readFully(buf, 0, length);
            out.writeInt(length);
            out.write(buf, 0, length);
            if (in.available() == 0) {
                out.flush();
            }
        }
    }
}
