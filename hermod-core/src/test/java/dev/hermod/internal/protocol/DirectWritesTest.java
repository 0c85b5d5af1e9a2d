package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.hermod.AsyncResult;
import dev.hermod.Blobs;
import dev.hermod.BlobsAsync;
import dev.hermod.BlobsImpl;
import dev.hermod.Client;
import dev.hermod.Hermod;
import dev.hermod.Server;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Requests and replies written by their callers' and workers' threads ({@link DirectWrites}):
 * over a real epoll socket, frames handed over by callers that write them themselves (from the
 * heap, copied, by a platform or a virtual thread, or from native memory), by callers that cannot, and by the I/O thread arrive
 * whole, once, and each sender's in order, also when the socket takes a caller's frame only in
 * part; and through Hermod, the request of a synchronous call alone on its connection is written
 * so, and an asynchronous call's, or one beside other calls, is not; the reply a worker makes to
 * the only request its connection has in dispatch is written so, and one beside another is not.
 */
class DirectWritesTest {
    private static final int SIZE = 1000;
    private static final int CALLERS = 3;
    private static final int PER_CALLER = 3_000;
    private static final int FROM_IO_THREAD = 1_000;
    /** The sender number of frames the I/O thread hands over. */
    private static final int IO_SENDER = 99;

    @Test
    void framesFromCallersAndTheIoThread_arriveWholeOnceAndInOrder() throws Exception {
        sendFromCallersAndTheIoThread(false);
    }

    /** The socket takes a part of every frame a caller writes, as a nearly full send buffer does. */
    @Test
    void framesWrittenInPart_restGoesFirst_arriveWholeOnceAndInOrder() throws Exception {
        DirectWrites.offered = SIZE / 3;
        try {
            sendFromCallersAndTheIoThread(true);
        } finally {
            DirectWrites.offered = Integer.MAX_VALUE;
        }
    }

    private void sendFromCallersAndTheIoThread(boolean inPart) throws Exception {
        assumeThat(Epoll.isAvailable()).as("epoll").isTrue();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (ServerSocket listener = new ServerSocket()) {
            listener.setReceiveBufferSize(4096); // small socket buffers: callers' writes fill them
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Outbound[] outbound = new Outbound[1];
            ChannelFuture connecting = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .option(ChannelOption.SO_SNDBUF, 4096)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
                            outbound[0] = new Outbound(ch);
                            outbound[0].writeDirectly(DirectWrites.install(ch));
                        }
                    }).connect(listener.getLocalSocketAddress());
            try (Socket peer = listener.accept()) {
                Channel client = connecting.sync().channel();
                Outbound out = outbound[0];
                long directBefore = DirectWrites.FRAMES.sum();
                long partsBefore = DirectWrites.PARTS.sum();
                AtomicInteger told = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                // The I/O thread, held, has its own first frame to write through the pipeline next.
                CountDownLatch hold = new CountDownLatch(1);
                client.eventLoop().execute(() -> awaitQuietly(hold));
                client.eventLoop().execute(() -> client.writeAndFlush(frame(IO_SENDER, 0)));
                // Nothing written yet: the first frame of a caller that may write goes from its thread,
                // and the rest of it, if the socket took a part, goes before the I/O thread's frame.
                ByteBuf first = frame(0, 0);
                out.send(first, new Listener(first, true, told, failed));
                assertThat(DirectWrites.FRAMES.sum() - directBefore).as("frames callers wrote").isPositive();
                if (inPart) {
                    assertThat(DirectWrites.PARTS.sum() - partsBefore).as("frames callers wrote in part").isPositive();
                }
                hold.countDown();
                List<Thread> senders = new ArrayList<>();
                for (int s = 0; s < CALLERS; s++) {
                    int sender = s;
                    Runnable sending = () -> {
                        for (int seq = sender == 0 ? 1 : 0; seq < PER_CALLER; seq++) {
                            // Callers 0 and 1 wait for their answers (they may write), caller 2 does not.
                            // Caller 1's frames are in native memory: written from where they are.
                            ByteBuf f = sender == 1 ? inNativeMemory(frame(sender, seq)) : frame(sender, seq);
                            out.send(f, new Listener(f, sender < 2, told, failed));
                        }
                    };
                    // Caller 0 is a virtual thread where the JDK has them: its heap frames are copied
                    // into pooled native buffers rather than a buffer of its own.
                    Thread virtual = sender == 0 ? unstartedVirtualThread(sending) : null;
                    senders.add(virtual != null ? virtual : new Thread(sending, "caller-" + s));
                }
                senders.add(new Thread(() -> {
                    for (int seq = 1; seq < FROM_IO_THREAD; seq++) {
                        int n = seq;
                        client.eventLoop().execute(() -> out.send(frame(IO_SENDER, n), client.voidPromise()));
                    }
                }, "via-io-thread"));
                senders.forEach(Thread::start);

                // Read slowly at first: the socket's buffers fill, and callers find frames waiting.
                DataInputStream in = new DataInputStream(peer.getInputStream());
                long[] next = new long[IO_SENDER + 1];
                int total = CALLERS * PER_CALLER + FROM_IO_THREAD;
                byte[] frame = new byte[SIZE];
                for (int i = 0; i < total; i++) {
                    if (i % 50 == 0 && i < total / 2) {
                        Thread.sleep(1);
                    }
                    in.readFully(frame);
                    ByteBuf f = Unpooled.wrappedBuffer(frame);
                    int sender = (int) f.readLong();
                    long seq = f.readLong();
                    assertThat(sender).as("frame %d's sender", i).isIn(0, 1, 2, IO_SENDER);
                    assertThat(seq).as("frame %d: sender %d's next", i, sender).isEqualTo(next[sender]);
                    assertThat(Arrays.mismatch(frame, bytes(frame(sender, seq))))
                            .as("frame %d (sender %d, #%d): the first byte not as sent", i, sender, seq).isEqualTo(-1);
                    next[sender]++;
                }
                for (Thread t : senders) {
                    t.join();
                }
                peer.setSoTimeout(200);
                assertThat(readsNothingMore(peer.getInputStream())).as("nothing more sent").isTrue();
                assertThat(told.get()).as("writes told").isEqualTo(CALLERS * PER_CALLER);
                assertThat(failed.get()).as("writes failed").isZero();
                client.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void synchronousCallsRequests_writtenByTheirCallers_asynchronousOnesNot() throws Exception {
        assumeThat(Epoll.isAvailable()).as("epoll").isTrue();
        try (Server server = Hermod.server().host("127.0.0.1").add("blobs", Blobs.class, new BlobsImpl()).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Blobs blobs = client.proxy(Blobs.class, "blobs");
            BlobsAsync async = client.proxy(BlobsAsync.class, "blobs");
            assertThat(blobs.size(new byte[3])).isEqualTo(3); // connected
            long sync = sizes(blobs, 200, DirectWrites.FRAMES);
            // The I/O thread sleeps between calls made one after another: nearly every request goes so.
            assertThat(sync).as("synchronous requests written by their callers").isGreaterThan(100);

            long before = DirectWrites.FRAMES.sum();
            for (int i = 0; i < 200; i++) {
                AsyncResult<Integer> r = async.size(new byte[i]);
                r.waitForCompleted();
                assertThat(r.value()).isEqualTo(i);
            }
            assertThat(DirectWrites.FRAMES.sum() - before).as("asynchronous requests written by callers").isZero();

            // Another call waiting on the connection: the I/O thread is about, and takes the request.
            AsyncResult<Integer> waiting = async.slow(7, 300);
            assertThat(sizes(blobs, 20, DirectWrites.FRAMES)).as("written by callers beside a waiting call").isZero();
            waiting.waitForCompleted();
            assertThat(waiting.value()).isEqualTo(7);
            assertThat(blobs.size(new byte[5000])).as("a large request, handed over").isEqualTo(5000);
        }
    }

    /**
     * A server's replies made by its workers: written by the worker while the request is the only
     * one its connection has in dispatch, small ones copied and large ones from where they are;
     * handed to the I/O thread beside another request, or when made on the I/O thread.
     */
    @Test
    void workersReplies_writtenByThemWhenAloneOnTheirConnection() throws Exception {
        assumeThat(Epoll.isAvailable()).as("epoll").isTrue();
        try (Server server = Hermod.server().host("127.0.0.1").add("blobs", Blobs.class, new BlobsImpl()).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Blobs blobs = client.proxy(Blobs.class, "blobs");
            BlobsAsync async = client.proxy(BlobsAsync.class, "blobs");
            assertThat(blobs.size(new byte[3])).isEqualTo(3); // connected
            // A worker answers after the I/O thread has gone back to sleep: nearly every reply goes so.
            assertThat(sizes(blobs, 200, DirectWrites.ACCEPTED_FRAMES)).as("small replies written by workers")
                    .isGreaterThan(100);
            long before = DirectWrites.ACCEPTED_FRAMES.sum();
            for (int i = 0; i < 100; i++) {
                int size = 4096 + 400 * i; // up to 44 KiB: encoded into native memory, written from there
                assertThat(blobs.make(size)).as("a reply of %d bytes", size).hasSize(size).containsOnly((byte) 0);
            }
            assertThat(DirectWrites.ACCEPTED_FRAMES.sum() - before).as("large replies written by workers")
                    .isGreaterThan(50);

            // Another request in dispatch on the connection: the I/O thread writes the replies.
            AsyncResult<Integer> waiting = async.slow(7, 300);
            assertThat(sizes(blobs, 20, DirectWrites.ACCEPTED_FRAMES)).as("written by workers beside another request")
                    .isZero();
            assertThat(waiting.value()).isEqualTo(7);
        }
        try (Server server = Hermod.server().host("127.0.0.1").directExecutor()
                        .add("blobs", Blobs.class, new BlobsImpl()).start();
                Client client = Hermod.client("tcp://127.0.0.1:" + server.port())) {
            Blobs blobs = client.proxy(Blobs.class, "blobs");
            assertThat(blobs.size(new byte[3])).isEqualTo(3);
            assertThat(sizes(blobs, 50, DirectWrites.ACCEPTED_FRAMES)).as("replies made on the I/O thread").isZero();
        }
    }

    @Test
    void install_onlyOnPlainEpollSockets() throws Exception {
        assertThat(DirectWrites.install(new EmbeddedChannel())).as("not a socket").isNull();
        assumeThat(Epoll.isAvailable()).as("epoll").isTrue();
        EpollSocketChannel tls = new EpollSocketChannel();
        try {
            tls.pipeline().addLast(SslContextBuilder.forClient().build().newHandler(tls.alloc()));
            assertThat(DirectWrites.install(tls)).as("TLS").isNull();
        } finally {
            tls.unsafe().closeForcibly();
        }
        EpollSocketChannel plain = new EpollSocketChannel();
        try {
            assertThat(DirectWrites.install(plain)).as("plain TCP").isNotNull();
            assertThat(plain.pipeline().first()).isInstanceOf(DirectWrites.class);
            assertThat(plain.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isTrue();
        } finally {
            plain.unsafe().closeForcibly();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ByteBuf frame(long sender, long seq) {
        ByteBuf b = Unpooled.buffer(SIZE).writeLong(sender).writeLong(seq);
        long x = sender * 1_000_003 + seq;
        while (b.isWritable()) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            b.writeByte((int) (x >>> 56));
        }
        return b;
    }

    /** Makes {@code calls} size calls one after another, checks their answers, and returns how much {@code written} grew. */
    private static long sizes(Blobs blobs, int calls, LongAdder written) {
        long before = written.sum();
        for (int i = 0; i < calls; i++) {
            assertThat(blobs.size(new byte[i])).isEqualTo(i);
        }
        return written.sum() - before;
    }

    /** A virtual thread, not started, on JDK 21 and later; null before (this code is built for 17). */
    private static Thread unstartedVirtualThread(Runnable task) {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class)
                    .invoke(builder, task);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static ByteBuf inNativeMemory(ByteBuf heap) {
        ByteBuf direct = Unpooled.directBuffer(heap.readableBytes()).writeBytes(heap);
        heap.release();
        assertThat(direct.hasMemoryAddress()).as("a direct buffer with its address").isTrue();
        return direct;
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        b.release();
        return a;
    }

    private static boolean readsNothingMore(InputStream in) throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        } catch (EOFException e) {
            return true;
        }
    }

    /** Listens for a frame's write, the way a request's parcel does. */
    private static final class Listener implements FrameListener {
        private final ByteBuf frame;
        private final boolean waits;
        private final AtomicInteger told;
        private final AtomicInteger failed;

        Listener(ByteBuf frame, boolean waits, AtomicInteger told, AtomicInteger failed) {
            this.frame = frame;
            this.waits = waits;
            this.told = told;
            this.failed = failed;
        }

        @Override
        public ByteBuf frame() {
            return frame;
        }

        @Override
        public boolean writeNow() {
            return waits;
        }

        @Override
        public void operationComplete(io.netty.channel.ChannelFuture write) {
            told.incrementAndGet();
            if (!write.isSuccess()) {
                failed.incrementAndGet();
            }
        }
    }
}
