package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hermod.internal.stream.StreamOut;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Link#whenWritable} runs every waiter of the link in the thread that adds one, if the
 * transport is writable by then: waiters of other streams too, which take their own locks. Two
 * streams of one link that wait for it at once, each from a thread of its own, must not then wait
 * for each other. {@link Link#afterWaiterQueued} holds each thread once its waiter is queued, so
 * that the second runs the first's waiter and the first the second's, every time.
 *
 * <p>An embedded channel carries the link: the test decides when it is writable, and its event
 * loop runs nothing of its own (the I/O thread's {@code writableAgain} would take the waiters
 * first).
 */
final class WritableWaitersTest {
    /** The writability bit the test turns off and on, apart from Netty's high-water mark. */
    private static final int TEST_WRITABILITY = 1;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Link link = install(channel);

    @AfterEach
    void clear() {
        Link.afterWaiterQueued = null;
        channel.finishAndReleaseAll();
    }

    private static Link install(EmbeddedChannel channel) {
        Link[] made = new Link[1];
        Link.install(channel, new Link.Settings(1 << 20, Duration.ZERO, false, false), l -> {
            made[0] = l;
            return new Link.Listener() {
                @Override
                public void onFrame(Link link, int type, int flags, ByteBuf body) {
                }

                @Override
                public void onClose(Link link, dev.hermod.RpcException cause) {
                }
            };
        }, new CompletableFuture<>());
        return made[0];
    }

    @Test
    void twoStreamsWaitingAtOnce_writableAgain_neitherWaitsForTheOther() throws Exception {
        StreamOut a = stream(1);
        StreamOut b = stream(2);
        Asked askedA = new Asked();
        Asked askedB = new Asked();
        a.credit(100); // no subscription yet: nothing is asked
        b.credit(100);
        writable(false);

        CountDownLatch aQueued = new CountDownLatch(1);
        CountDownLatch bQueued = new CountDownLatch(1);
        CompletableFuture<Void> aStarted = new CompletableFuture<>();
        CompletableFuture<Void> bStarted = new CompletableFuture<>();
        Thread first = daemon("stream-a", () -> a.start(askedA), aStarted);
        Thread second = daemon("stream-b", () -> b.start(askedB), bStarted);
        Link.afterWaiterQueued = l -> {
            if (Thread.currentThread() == first) {
                aQueued.countDown();
                awaitLatch(bQueued);
                // Until the second thread runs a's waiter, which a deadlock leaves waiting for a.
                await().atMost(Duration.ofSeconds(20)).until(() -> blockedOn(second, a) || bStarted.isDone());
            } else if (Thread.currentThread() == second) {
                writable(true); // both threads now find the link writable, and run the waiters
                bQueued.countDown();
            }
        };

        first.start();
        assertThat(aQueued.await(20, TimeUnit.SECONDS)).isTrue(); // a's waiter goes first in the queue
        second.start();

        assertThat(CompletableFuture.allOf(aStarted, bStarted)).as(() -> waits(first, second))
                .succeedsWithin(Duration.ofSeconds(5));
        // and each publisher was asked for items once the link was writable again
        assertThat(askedA.requested).isCompletedWithValueMatching(n -> n > 0);
        assertThat(askedB.requested).isCompletedWithValueMatching(n -> n > 0);
    }

    private StreamOut stream(int slot) {
        return new StreamOut(link, 1, slot, null, Runnable::run, new StreamOut.Ends() { // sends no item: no coder
            @Override
            public void completed() {
            }

            @Override
            public void failed(Throwable failure) {
            }
        }, "stream " + slot);
    }

    private void writable(boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(TEST_WRITABILITY, writable);
    }

    /** A thread that will not keep the JVM alive if the code under test leaves it stuck. */
    private static Thread daemon(String name, Runnable task, CompletableFuture<Void> done) {
        Thread t = new Thread(() -> {
            task.run();
            done.complete(null);
        }, name);
        t.setDaemon(true);
        return t;
    }

    private static boolean blockedOn(Thread t, Object monitor) {
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.getId());
        return info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockInfo() != null
                && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(monitor);
    }

    /** What the threads wait for, if anything, for the failure message. */
    private static String waits(Thread... threads) {
        StringBuilder b = new StringBuilder();
        for (Thread t : threads) {
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.getId());
            b.append(t.getName()).append(": ").append(info == null ? "ended" : info.getThreadState()
                    + (info.getLockName() == null ? "" : " on " + info.getLockName() + " held by " + info.getLockOwnerName()))
                    .append("; ");
        }
        return b.toString();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A publisher that emits nothing and records what it is asked for. */
    private static final class Asked implements Flow.Publisher<Object>, Flow.Subscription {
        final CompletableFuture<Long> requested = new CompletableFuture<>();

        @Override
        public void subscribe(Flow.Subscriber<? super Object> s) {
            s.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            requested.complete(n);
        }

        @Override
        public void cancel() {
        }
    }
}
