package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over loopback TCP: frames handed over by many threads, and by the I/O thread, arrive whole,
 * once, and in the order they were handed over, frames made later on the I/O thread included.
 */
class OutboundTest {
    private static final int THREADS = 4;
    private static final int FRAMES = 5_000;

    private EventLoopGroup group;
    private Channel server;
    private Channel client;
    /** What the server received: pairs of (sender, sequence number). */
    private final List<long[]> received = java.util.Collections.synchronizedList(new ArrayList<>());
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** The client channel's writability, as each change reported it. */
    private final java.util.concurrent.BlockingQueue<Boolean> writabilityChanges = new java.util.concurrent.LinkedBlockingQueue<>();

    @BeforeEach
    void connect() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = Loopback.listen(group, () -> new ChannelInboundHandlerAdapter() {
            private final ByteBuf pending = Unpooled.buffer();

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf in = (ByteBuf) msg;
                pending.writeBytes(in);
                in.release();
                while (pending.readableBytes() >= 16) {
                    received.add(new long[] {pending.readLong(), pending.readLong()});
                }
                pending.discardReadBytes();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                closed.complete(null);
            }
        });
        client = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        writabilityChanges.add(ctx.channel().isWritable());
                    }
                }).connect(server.localAddress()).sync().channel();
    }

    @AfterEach
    void close() throws Exception {
        client.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private static ByteBuf frame(long sender, long seq) {
        return Unpooled.buffer(16).writeLong(sender).writeLong(seq);
    }

    @Test
    void manyThreadsAndTheIoThread_everyFrameArrivesOnceInItsSendersOrder() throws Exception {
        Outbound outbound = new Outbound(client);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        List<CompletableFuture<Void>> lastWrites = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long sender = t;
            CompletableFuture<Void> last = new CompletableFuture<>();
            lastWrites.add(last);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < FRAMES; i++) {
                    if (i % 100 == 0) { // now and then from the I/O thread, behind what this thread sent
                        long seq = i;
                        client.eventLoop().execute(() -> outbound.send(frame(sender, seq), client.voidPromise()));
                        continue;
                    }
                    io.netty.channel.ChannelPromise promise = client.newPromise();
                    if (i == FRAMES - 1) {
                        promise.addListener(f -> last.complete(null));
                    }
                    outbound.send(frame(sender, i), promise);
                }
            });
            senders.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : senders) {
            thread.join(30_000);
        }
        CompletableFuture.allOf(lastWrites.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // A task given to the I/O thread after the frames runs after they are handed over: it writes
        // what still waits (those sent by the I/O thread may be in a batch not yet written) and
        // closes, as Link.closeAfterWrites does.
        client.eventLoop().execute(() -> {
            outbound.writeWaiting();
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        });
        closed.get(30, TimeUnit.SECONDS);

        assertThat(received).hasSize(THREADS * FRAMES);
        long[] next = new long[THREADS];
        for (long[] r : received) {
            int sender = (int) r[0];
            if (r[1] % 100 == 0) {
                continue; // sent through a task: ordered behind the thread's earlier frames only
            }
            assertThat(r[1]).as("sender %d", sender).isGreaterThanOrEqualTo(next[sender]);
            next[sender] = r[1] + 1;
        }
        for (int t = 0; t < THREADS; t++) {
            long sender = t;
            assertThat(received.stream().filter(r -> r[0] == sender).map(r -> r[1]).distinct().count())
                    .isEqualTo(FRAMES);
        }
    }

    @Test
    void closedChannel_framesStillWaiting_areReleasedAndTheirWritesFail() throws Exception {
        client.close().sync();
        Outbound outbound = new Outbound(client);
        ByteBuf frame = frame(1, 1);
        io.netty.channel.ChannelPromise promise = client.newPromise();

        outbound.send(frame, promise);

        assertThat(promise.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(promise.isSuccess()).isFalse();
        assertThat(frame.refCnt()).isZero();
    }

    /** Holds the client's I/O thread until the returned latch is counted down, so that frames wait. */
    private CountDownLatch holdIoThread(Runnable thenOnIoThread) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        client.eventLoop().execute(() -> {
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thenOnIoThread.run();
        });
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    private List<Long> senders(int count) throws Exception {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> received.size() >= count);
        synchronized (received) {
            return received.stream().map(r -> r[0] * 1000 + r[1]).toList();
        }
    }

    @Test
    void aFrameMadeLater_goesAfterTheFramesBeforeIt_andBeforeTheFramesAfterIt() throws Exception {
        Outbound outbound = new Outbound(client);
        CountDownLatch release = holdIoThread(() -> { });

        outbound.send(frame(1, 1), client.voidPromise()); // schedules the task that writes the batch
        outbound.sendLater(() -> frame(2, 1)); // a progress report, made when its turn comes
        outbound.send(frame(3, 1), client.voidPromise()); // the reply
        release.countDown();

        assertThat(senders(3)).containsExactly(1001L, 2001L, 3001L);
    }

    @Test
    void onTheIoThread_theFramesWaitingAreWrittenFirst() throws Exception {
        Outbound outbound = new Outbound(client);
        CountDownLatch release = holdIoThread(() -> outbound.send(frame(3, 1), client.voidPromise()));

        outbound.send(frame(1, 1), client.voidPromise());
        outbound.send(frame(2, 1), client.newPromise());
        release.countDown();

        assertThat(senders(3)).containsExactly(1001L, 2001L, 3001L);
    }

    @Test
    void framesWithPromises_fromAnotherThread_goOutInOrder_andEachPromiseLearnsItsWrite() throws Exception {
        Outbound outbound = new Outbound(client);
        CountDownLatch release = holdIoThread(() -> { });
        List<io.netty.channel.ChannelPromise> promises = new ArrayList<>();
        List<ByteBuf> frames = new ArrayList<>();

        for (int i = 1; i <= 3; i++) { // from this thread while the I/O thread is busy: they wait in the queue
            io.netty.channel.ChannelPromise promise = client.newPromise();
            ByteBuf frame = frame(i, 1);
            promises.add(promise);
            frames.add(frame);
            outbound.send(frame, promise);
            outbound.send(frame(i, 2), client.voidPromise());
        }
        assertThat(promises).noneMatch(io.netty.util.concurrent.Future::isDone);
        release.countDown();

        assertThat(senders(6)).containsExactly(1001L, 1002L, 2001L, 2002L, 3001L, 3002L);
        for (io.netty.channel.ChannelPromise promise : promises) {
            assertThat(promise.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(promise.isSuccess()).isTrue();
        }
        assertThat(frames).allMatch(f -> f.refCnt() == 0);
    }

    @Test
    void aFrameWithAPromise_waitingForAClosedChannel_isReleased_andItsWriteFails() throws Exception {
        Outbound outbound = new Outbound(client);
        io.netty.channel.ChannelPromise promise = client.newPromise();
        ByteBuf frame = frame(1, 1);
        CountDownLatch release = holdIoThread(() -> {
            client.close();
            outbound.writeWaiting();
        });

        outbound.send(frame, promise);
        release.countDown();

        assertThat(promise.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(promise.isSuccess()).isFalse();
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void aFrameMakerThatMakesNothingOrFails_isSkipped_andTheOthersGoOut() throws Exception {
        Outbound outbound = new Outbound(client);
        CountDownLatch release = holdIoThread(() -> { });

        outbound.send(frame(1, 1), client.voidPromise());
        outbound.sendLater(() -> null);
        outbound.sendLater(() -> {
            throw new IllegalStateException("cannot make it");
        });
        outbound.send(frame(2, 1), client.voidPromise());
        release.countDown();

        assertThat(senders(2)).containsExactly(1001L, 2001L);
        outbound.send(frame(3, 1), client.voidPromise());
        assertThat(senders(3)).containsExactly(1001L, 2001L, 3001L);
    }

    @Test
    void framesWaitingWhenTheChannelCloses_failBeforeTheCloseIsSeen() throws Exception {
        Outbound outbound = new Outbound(client);
        CompletableFuture<Boolean> failedBeforeClose = new CompletableFuture<>();
        io.netty.channel.ChannelPromise promise = client.newPromise();
        ByteBuf frame = frame(1, 1);
        CountDownLatch release = holdIoThread(() -> {
            client.close(); // on the I/O thread: what still waits is written now, and fails
            outbound.writeWaiting();
            failedBeforeClose.complete(promise.isDone() && !promise.isSuccess());
        });

        outbound.send(frame, promise);
        release.countDown();

        assertThat(failedBeforeClose.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(frame.refCnt()).isZero();
    }

    /** A listener that holds its frame, as a request's parcel does: it waits in the queue as it is. */
    private static final class Carrier implements FrameListener {
        private final ByteBuf frame;
        private final java.util.concurrent.CompletableFuture<Boolean> written = new java.util.concurrent.CompletableFuture<>();

        Carrier(ByteBuf frame) {
            this.frame = frame;
        }

        @Override
        public ByteBuf frame() {
            return frame;
        }

        @Override
        public void operationComplete(io.netty.channel.ChannelFuture write) {
            if (!written.complete(write.isSuccess())) {
                throw new AssertionError("told twice");
            }
        }
    }

    @Test
    void framesThatCarryTheirListener_fromAnotherThread_goOutInOrder_andEachLearnsItsWriteOnce() throws Exception {
        Outbound outbound = new Outbound(client);
        CountDownLatch release = holdIoThread(() -> { });
        List<Carrier> carriers = new ArrayList<>();

        for (int i = 1; i <= 3; i++) { // they wait in the queue: the I/O thread is busy
            Carrier carrier = new Carrier(frame(i, 1));
            carriers.add(carrier);
            outbound.send(carrier.frame(), carrier);
            outbound.send(frame(i, 2), client.voidPromise());
        }
        assertThat(outbound.waitingBytes()).isEqualTo(6 * 16);
        assertThat(carriers).noneMatch(c -> c.written.isDone());
        release.countDown();

        assertThat(senders(6)).containsExactly(1001L, 1002L, 2001L, 2002L, 3001L, 3002L);
        for (Carrier carrier : carriers) {
            assertThat(carrier.written.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(carrier.frame().refCnt()).isZero();
        }
        assertThat(outbound.waitingBytes()).isZero();
    }

    @Test
    void aFrameThatCarriesItsListener_waitingForAClosedChannel_isReleased_andLearnsItsWriteFailed() throws Exception {
        Outbound outbound = new Outbound(client);
        Carrier carrier = new Carrier(frame(1, 1));
        CountDownLatch release = holdIoThread(() -> {
            client.close();
            outbound.writeWaiting();
        });

        outbound.send(carrier.frame(), carrier);
        release.countDown();

        assertThat(carrier.written.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(carrier.frame().refCnt()).isZero();
        assertThat(outbound.waitingBytes()).isZero();
    }

    @Test
    void framesWaitingPastTheHighWaterMark_makeTheChannelUnwritableAtOnce_untilWritten() throws Exception {
        client.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(64, 128));
        Outbound outbound = new Outbound(client);
        CountDownLatch release = holdIoThread(() -> { });

        for (int i = 0; i < 7; i++) { // 112 bytes: under the mark
            outbound.send(frame(1, i), client.voidPromise());
        }
        assertThat(client.isWritable()).isTrue();
        outbound.send(frame(1, 7), client.voidPromise()); // 128 bytes wait: as many as the mark
        assertThat(client.isWritable()).as("unwritable in the sending thread, before the I/O thread ran").isFalse();
        assertThat(outbound.waitingBytes()).isEqualTo(128);
        release.countDown();

        assertThat(senders(8)).hasSize(8);
        // Netty reports each change by a task, which reads the writability when it runs: the last
        // report a handler sees is that the channel is writable again.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> writabilityChanges.size() >= 2 && List.copyOf(writabilityChanges).get(writabilityChanges.size() - 1));
        assertThat(client.isWritable()).isTrue();
        assertThat(outbound.waitingBytes()).isZero();
    }

    @Test
    void manyThreadsCrossingTheMarkWhileTheIoThreadWrites_leaveTheChannelWritableOnceAllIsWritten() throws Exception {
        client.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(128, 256));
        Outbound outbound = new Outbound(client);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        int frames = 20_000;
        for (int t = 0; t < THREADS; t++) {
            long sender = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < frames; i++) {
                    outbound.send(frame(sender, i), client.voidPromise());
                }
            });
            senders.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : senders) {
            thread.join(30_000);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> received.size() == THREADS * frames);

        assertThat(outbound.waitingBytes()).isZero();
        // The flag a sender set after the last drain looked is cleared by that sender: none stays set.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> client.unsafe().outboundBuffer().getUserDefinedWritability(Outbound.WRITABILITY_FLAG));
        assertThat(client.isWritable()).isTrue();
    }

    /** A frame of {@code records} records of one sender, numbered from {@code firstSeq}. */
    private static ByteBuf frames(long sender, long firstSeq, int records) {
        ByteBuf b = Unpooled.buffer(16 * records);
        for (int r = 0; r < records; r++) {
            b.writeLong(sender).writeLong(firstSeq + r);
        }
        return b;
    }

    @Test
    void onTheIoThread_smallFramesAroundLargeOnes_goOutInOrderAcrossManyBatches_andEachPromiseLearnsItsWrite()
            throws Exception {
        Outbound outbound = new Outbound(client);
        int large = Outbound.COPY_LIMIT / 16 + 1; // records in a frame too large to copy
        List<io.netty.channel.ChannelPromise> promises = new ArrayList<>();
        List<ByteBuf> sent = new ArrayList<>();
        CompletableFuture<Long> handedOver = new CompletableFuture<>();
        // More small frames than a batch holds and than one flush takes, all within one task.
        int small = 2 * Outbound.BATCH_MAX / 16 + Outbound.FLUSH_FRAMES;
        client.eventLoop().execute(() -> {
            long seq = 0;
            for (int i = 0; i < small; i++) {
                ByteBuf frame = i % 1000 == 999 ? frames(1, seq, large) : frame(1, seq);
                seq += frame.readableBytes() / 16;
                io.netty.channel.ChannelPromise promise = i % 3 == 0 ? client.newPromise() : client.voidPromise();
                if (!promise.isVoid()) {
                    promises.add(promise);
                }
                sent.add(frame);
                outbound.send(frame, promise);
            }
            handedOver.complete(seq);
        });
        long records = handedOver.get(30, TimeUnit.SECONDS);

        List<Long> order = senders((int) records);
        assertThat(order).hasSize((int) records);
        for (int i = 0; i < order.size(); i++) {
            assertThat(order.get(i)).isEqualTo(1000L + i);
        }
        for (io.netty.channel.ChannelPromise promise : promises) {
            assertThat(promise.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(promise.isSuccess()).isTrue();
        }
        assertThat(sent).allMatch(f -> f.refCnt() == 0);
    }

    @Test
    void aWriteListenerThatSendsOnTheIoThread_hasItsFrameWrittenWithoutAnythingElseHappening() throws Exception {
        Outbound outbound = new Outbound(client);
        io.netty.channel.ChannelPromise first = client.newPromise();
        first.addListener(f -> outbound.send(frame(2, 1), client.voidPromise())); // on the I/O thread, during a flush
        client.eventLoop().execute(() -> outbound.send(frame(1, 1), first));

        assertThat(senders(2)).containsExactly(1001L, 2001L);
    }

    @Test
    void onTheIoThread_framesSentToAClosedChannel_areReleased_andTheirWritesFail() throws Exception {
        client.close().sync();
        Outbound outbound = new Outbound(client);
        ByteBuf small = frame(1, 1);
        ByteBuf large = frames(1, 2, Outbound.COPY_LIMIT / 16 + 1);
        io.netty.channel.ChannelPromise smallWritten = client.newPromise();
        io.netty.channel.ChannelPromise largeWritten = client.newPromise();

        client.eventLoop().execute(() -> {
            outbound.send(small, smallWritten);
            outbound.send(large, largeWritten);
        });

        for (io.netty.channel.ChannelPromise p : List.of(smallWritten, largeWritten)) {
            assertThat(p.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.isSuccess()).isFalse();
        }
        assertThat(small.refCnt()).isZero();
        assertThat(large.refCnt()).isZero();
    }

    /** A listener that records each write it is told of: whether it succeeded, and on which thread. */
    private static final class Told implements ChannelFutureListener {
        final List<Boolean> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        public void operationComplete(io.netty.channel.ChannelFuture write) {
            outcomes.add(write.isSuccess());
            done.countDown();
        }

        void assertToldOnce(boolean success) throws InterruptedException {
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(outcomes).containsExactly(success);
        }
    }

    @Test
    void framesWithListeners_fromTheIoThreadAndFromOthers_smallAndLarge_goOutInOrder_andEachListenerIsToldOnce()
            throws Exception {
        Outbound outbound = new Outbound(client);
        List<Told> listeners = new ArrayList<>();
        List<ByteBuf> sent = new ArrayList<>();
        int large = Outbound.COPY_LIMIT / 16 + 1;
        CountDownLatch release = holdIoThread(() -> { });
        for (int i = 1; i <= 3; i++) { // from this thread while the I/O thread is busy: they wait in the queue
            Told told = new Told();
            ByteBuf frame = i == 2 ? frames(i, 1, large) : frame(i, 1);
            listeners.add(told);
            sent.add(frame);
            outbound.send(frame, told);
        }
        release.countDown();
        client.eventLoop().execute(() -> { // then on the I/O thread: one batch of small frames around a large one
            for (int i = 4; i <= 6; i++) {
                Told told = new Told();
                ByteBuf frame = i == 5 ? frames(i, 1, large) : frame(i, 1);
                listeners.add(told);
                sent.add(frame);
                outbound.send(frame, told);
            }
        });

        List<Long> expected = new ArrayList<>(List.of(1001L));
        for (long r = 1; r <= large; r++) {
            expected.add(2000 + r);
        }
        expected.addAll(List.of(3001L, 4001L));
        for (long r = 1; r <= large; r++) {
            expected.add(5000 + r);
        }
        expected.add(6001L);
        assertThat(senders(expected.size())).containsExactlyElementsOf(expected);
        for (Told told : listeners) {
            told.assertToldOnce(true);
        }
        assertThat(sent).allMatch(f -> f.refCnt() == 0);
    }

    @Test
    void framesWithListeners_sentToAClosedChannel_areReleased_andTheirListenersAreToldTheWritesFailed()
            throws Exception {
        Outbound outbound = new Outbound(client);
        Told waiting = new Told();
        ByteBuf waitingFrame = frame(1, 1);
        CountDownLatch release = holdIoThread(() -> {
            client.close();
            outbound.writeWaiting();
        });
        outbound.send(waitingFrame, waiting); // waits in the queue until the channel has closed
        release.countDown();
        waiting.assertToldOnce(false);

        Told small = new Told();
        Told large = new Told();
        ByteBuf smallFrame = frame(2, 1);
        ByteBuf largeFrame = frames(2, 2, Outbound.COPY_LIMIT / 16 + 1);
        client.eventLoop().execute(() -> {
            outbound.send(smallFrame, small);
            outbound.send(largeFrame, large);
        });
        small.assertToldOnce(false);
        large.assertToldOnce(false);
        assertThat(List.of(waitingFrame, smallFrame, largeFrame)).allMatch(f -> f.refCnt() == 0);
    }

    /**
     * Netty runs a promise's listeners later, from the event loop's queue, once notifications are
     * nested eight deep; a waiter must still learn its write within the flush that wrote it, so
     * that a call's write is known before the link reports its close (which decides whether the
     * call may have run).
     */
    @Test
    void waitersLearnTheirWrite_withinTheFlushThatWroteIt_evenWhereNettyWouldDeferListeners() throws Exception {
        Outbound outbound = new Outbound(client);
        Told small = new Told();
        Told large = new Told();
        io.netty.channel.ChannelPromise promised = client.newPromise();
        CompletableFuture<List<Boolean>> toldInTheFlush = new CompletableFuture<>();
        client.eventLoop().execute(() -> {
            io.netty.util.internal.InternalThreadLocalMap locals = io.netty.util.internal.InternalThreadLocalMap.get();
            int depth = locals.futureListenerStackDepth();
            locals.setFutureListenerStackDepth(8); // as deep as Netty notifies before deferring
            try {
                outbound.send(frame(1, 1), small); // a batch with one listener
                outbound.send(frames(1, 2, Outbound.COPY_LIMIT / 16 + 1), large); // written alone
                outbound.send(frame(2, 1), promised);
                outbound.readComplete(); // writes and flushes
                toldInTheFlush.complete(List.of(small.done.getCount() == 0, large.done.getCount() == 0,
                        promised.isDone()));
            } finally {
                locals.setFutureListenerStackDepth(depth);
            }
        });

        assertThat(toldInTheFlush.get(10, TimeUnit.SECONDS)).containsExactly(true, true, true);
        small.assertToldOnce(true);
        large.assertToldOnce(true);
    }
}
