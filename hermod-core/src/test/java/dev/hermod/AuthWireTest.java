package dev.hermod;

import dev.hermod.security.Authenticator;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PROTOCOL.md section 3.3 from the document alone: the bytes of its example AUTH frame, sent over a
 * plain socket, authenticate; the server's SETTINGS announce authentication; wrong credentials get
 * GOAWAY 12 and a close; a peer that never sends AUTH gets failure 12 for its requests.
 */
@Timeout(value = 60, unit = SECONDS)
final class AuthWireTest {
    private static final String PREAMBLE = "48524d4400010000";
    /** Section 3.1 with the AUTHENTICATION entry of section 3.3. */
    private static final String AUTH_SETTINGS = "000000200900000101000000000200000001001000000001001100000001"
            + "000300000001";
    /** Section 3.3, verbatim: user alice, password pw. */
    private static final String AUTH_ALICE = "00 00 00 15 0A 00 00 08 70 61 73 73 77 6F 72 64 00 05 61 6C 69 63 65 70 77";
    private static final String AUTH_OK_ALICE = "00 00 00 09 0B 00 00 05 61 6C 69 63 65";

    private static Server server() {
        return Hermod.server().host("127.0.0.1")
                .authenticator(Authenticator.passwords((u, p) -> u.equals("alice") && Arrays.equals(p, "pw".toCharArray())))
                .add("vault", Vault.class, new Vault.Impl()).start();
    }

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", "").toLowerCase(java.util.Locale.ROOT));
    }

    private static byte[] frame(DataInputStream in) throws IOException {
        int length = in.readInt();
        byte[] f = new byte[4 + length];
        f[0] = (byte) (length >>> 24);
        f[1] = (byte) (length >>> 16);
        f[2] = (byte) (length >>> 8);
        f[3] = (byte) length;
        in.readFully(f, 4, length);
        return f;
    }

    private static Socket open(Server s) throws IOException {
        Socket socket = new Socket("127.0.0.1", s.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends a plain preamble, reads the server's; returns the server's SETTINGS in hex. */
    private static String handshake(OutputStream out, DataInputStream in) throws IOException {
        out.write(hex(PREAMBLE));
        in.readFully(new byte[8]);
        return HexFormat.of().formatHex(frame(in));
    }

    @Test
    void documentedAuthFrame_getsAuthOk() throws Exception {
        try (Server s = server(); Socket socket = open(s)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(handshake(out, in)).isEqualTo(AUTH_SETTINGS);

            out.write(hex(AUTH_ALICE));

            assertThat(frame(in)).isEqualTo(hex(AUTH_OK_ALICE));
        }
    }

    @Test
    void refusedCredentials_getGoAway12_thenClose() throws Exception {
        try (Server s = server(); Socket socket = open(s)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(handshake(out, in)).isEqualTo(AUTH_SETTINGS);
            byte[] wrong = hex(AUTH_ALICE);
            wrong[wrong.length - 1] = 'x'; // password "px"

            out.write(wrong);

            byte[] goAway = frame(in);
            assertThat(goAway[4]).isEqualTo((byte) 0x08);
            assertThat(((goAway[6] & 0xFF) << 8) | (goAway[7] & 0xFF)).isEqualTo(12);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void peerThatNeverAuthenticates_getsFailure12() throws Exception {
        try (Server s = server(); Socket socket = open(s)) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(handshake(out, in)).isEqualTo(AUTH_SETTINGS);
            // REQUEST id 1, 30 s, service "vault", operation "whoAmI", no context, CBOR [] (section 5)
            out.write(hex("00 00 00 1c 01 00 00 00 00 01 00 00 75 30 00 05 76 61 75 6c 74 00 06 77 68 6f 41 6d 49 00 00 80"));

            byte[] reply = frame(in);
            assertThat(reply[4]).isEqualTo((byte) 0x02);
            assertThat(reply[10]).isEqualTo((byte) 2); // outcome: failure
            assertThat(((reply[11] & 0xFF) << 8) | (reply[12] & 0xFF)).isEqualTo(12);
        }
    }
}
