package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hermod.security.TestCertificates;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TLS connection cut while {@link Outbound}'s frames are partly written. Between Outbound and
 * the socket, Netty's {@link SslHandler} queues the plaintext and writes encrypted records of up
 * to 16 KiB with promises of its own; a plaintext write's promise completes with the record its
 * last byte went out in. The frames in the records the socket took whole may have been read and
 * run by the peer, so their writers must learn that they were written (a request counted
 * unprocessed is sent again: run twice); only the frames past the cut fail.
 *
 * <p>The client is an embedded channel whose socket, after a real handshake with an embedded
 * server, takes the first records it is told to whole, then part of the next, and then fails as
 * a reset connection does. The server decrypts what the socket took: the frames it reads whole
 * are the frames written.
 *
 * <p>On BoringSSL (Hermod's engine where it loads) and on the JDK's engine with TLS 1.2, a record
 * seals the 16 KiB SslHandler hands it. The JDK's engine with TLS 1.3 seals one byte less; the
 * handler then queues that byte again with the promise of the plaintext it came from, so every
 * waiter learns of the last record of the flush: never told written too early, but not
 * exactly either (not tested here).
 */
final class PartlyWrittenTlsBatchTest {
    private static final int FRAME = 1000;

    @TempDir
    static Path dir;
    private static TestCertificates.Issued cert;
    private static Path caFile;

    private CutChannel client;
    private EmbeddedChannel server;

    @BeforeAll
    static void contexts() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir, "batch");
        cert = ca.server("server");
        caFile = ca.caFile();
    }

    @AfterEach
    void release() {
        if (client != null) {
            client.finishAndReleaseAll();
            client.wire.release();
        }
        if (server != null) {
            server.finishAndReleaseAll();
        }
    }

    /**
     * An embedded channel whose socket takes every message whole until {@link #cutAfter} is
     * called, then that many messages whole and half of the next, and is then reset.
     */
    private static final class CutChannel extends EmbeddedChannel {
        /** What the socket took and the peer has not yet been given. */
        final ByteBuf wire = Unpooled.buffer();
        private int wholeMessages = -1;

        void cutAfter(int messages) {
            wholeMessages = messages;
        }

        /**
         * Writes as a socket channel does, through the pipeline alone: an embedded channel's own
         * write also runs its pending tasks, Outbound's flush among them, at every frame.
         */
        @Override
        public ChannelFuture write(Object msg, ChannelPromise promise) {
            return pipeline().write(msg, promise);
        }

        @Override
        protected void doWrite(ChannelOutboundBuffer in) throws Exception {
            for (;;) {
                ByteBuf msg = (ByteBuf) in.current();
                if (msg == null) {
                    return;
                }
                if (wholeMessages == 0) {
                    int half = msg.readableBytes() / 2;
                    wire.writeBytes(msg, msg.readerIndex(), half);
                    in.removeBytes(half); // as NioSocketChannel does
                    throw new IOException("Connection reset by peer");
                }
                if (wholeMessages > 0 && msg.isReadable()) {
                    wholeMessages--;
                }
                wire.writeBytes(msg, msg.readerIndex(), msg.readableBytes());
                in.removeBytes(msg.readableBytes());
            }
        }
    }

    /** Hands what the client's socket took to the server, and the server's answer to the client. */
    private void exchange() {
        if (client.wire.isReadable()) {
            server.writeInbound(client.wire.readRetainedSlice(client.wire.readableBytes()));
            client.wire.discardReadBytes();
        }
        ByteBuf out;
        while ((out = server.readOutbound()) != null) {
            if (client.isOpen()) {
                client.writeInbound(out);
            } else {
                out.release();
            }
        }
    }

    /** A TLS client and server on {@code provider} with {@code protocol}, the handshake between them done. */
    private void connect(SslProvider provider, String protocol) throws Exception {
        SslContext serverContext = SslContextBuilder.forServer(cert.chain().toFile(), cert.key().toFile())
                .sslProvider(provider).protocols(protocol).build();
        SslContext clientContext = SslContextBuilder.forClient().trustManager(caFile.toFile())
                .sslProvider(provider).protocols(protocol).build();
        client = new CutChannel();
        server = new EmbeddedChannel();
        server.pipeline().addLast(serverContext.newHandler(server.alloc()));
        SslHandler tls = clientContext.newHandler(client.alloc(), "localhost", 443);
        client.pipeline().addLast(tls);
        for (int i = 0; i < 20 && !tls.handshakeFuture().isDone(); i++) {
            exchange();
        }
        assertThat(tls.handshakeFuture().isSuccess()).as("handshake").isTrue();
        exchange(); // the server's last words (a TLS 1.3 session ticket, say)
        Object read;
        while ((read = server.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(read);
        }
    }

    /** The ids of the frames of {@code size} bytes the server decrypted whole. */
    private List<Integer> receivedWhole(int size) {
        ByteBuf plain = Unpooled.buffer();
        Object read;
        while ((read = server.readInbound()) != null) {
            plain.writeBytes((ByteBuf) read);
            ((ByteBuf) read).release();
        }
        List<Integer> ids = new ArrayList<>();
        for (int at = 0; at + size <= plain.writerIndex(); at += size) {
            ids.add((int) plain.getByte(at));
        }
        plain.release();
        return ids;
    }

    @Test
    void boringSslCutInTheSecondRecord_theFramesOfTheFirstAreWritten_theRestFail() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "BoringSSL does not load here");
        connect(SslProvider.OPENSSL, "TLSv1.3");
        cutInTheSecondRecord_theFramesOfTheFirstAreWritten_theRestFail();
    }

    @Test
    void jdkTls12CutInTheSecondRecord_theFramesOfTheFirstAreWritten_theRestFail() throws Exception {
        connect(SslProvider.JDK, "TLSv1.2");
        cutInTheSecondRecord_theFramesOfTheFirstAreWritten_theRestFail();
    }

    private void cutInTheSecondRecord_theFramesOfTheFirstAreWritten_theRestFail() {
        // 40 frames of 1000 bytes: SslHandler seals records of 16 KiB of plaintext, so frames 0-15
        // are whole in the first record, and the second ends in frame 32.
        int frames = 40;
        PartlyWrittenBatchTest.Sent sent = new PartlyWrittenBatchTest.Sent(client, new Outbound(client), frames, FRAME);
        client.cutAfter(1); // the first record whole, then the second cut

        client.runPendingTasks();

        assertThat(client.isOpen()).isFalse();
        exchange();
        List<Integer> written = receivedWhole(FRAME);
        assertThat(written).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 16).boxed().toList());
        sent.assertWritten(written::contains);
    }
}
