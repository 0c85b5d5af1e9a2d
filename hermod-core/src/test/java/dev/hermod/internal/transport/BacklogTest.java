package dev.hermod.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sending side's backlog: frames held back go out, and are reported handed over, in order. */
final class BacklogTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Integer> written = new ArrayList<>();
    private final List<Integer> handedOver = new ArrayList<>();
    private boolean writable = true;
    private Backlog backlog;

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /**
     * Netty fires {@code channelWritabilityChanged} within a flush when the outbound buffer drops
     * below its low-water mark, on the I/O thread that is handing a frame over: the backlog is
     * asked to drain again while it drains. The frames behind must not be reported handed over
     * before the one being written (seen in CI as sent callbacks out of order: ..., 49, 51, ...,
     * 64, 50), nor numbered before it.
     */
    @Test
    void drainReenteredFromAWrite_reportsHandOversInTheOrderOfTheWrites() {
        boolean[] reentered = {false};
        backlog = new Backlog(new Outlet() {
            @Override
            public void sendAndTell(ByteBuf frame, ChannelFutureListener listener) {
                written.add(frame.getInt(0));
                frame.release();
                if (!reentered[0]) { // the flush of the first frame makes the channel writable again
                    reentered[0] = true;
                    backlog.writable();
                }
            }
        }, 1 << 20);
        writable = false;
        for (int i = 0; i < 5; i++) {
            assertThat(backlog.offer(frame(i), new Recorded(i), true)).isNotNull(); // held back
        }
        writable = true;
        backlog.writable();

        assertThat(written).containsExactly(0, 1, 2, 3, 4);
        assertThat(handedOver).containsExactly(0, 1, 2, 3, 4);
        assertThat(backlog.bytes()).isZero();
    }

    @Test
    void framesOfferedWhileOthersAreHeldBack_waitBehindThem() {
        backlog = new Backlog(new Outlet(), 1 << 20);
        writable = false;
        backlog.offer(frame(0), new Recorded(0), true);
        writable = true;
        assertThat(backlog.offer(frame(1), new Recorded(1), true)).isNotNull(); // not ahead of 0
        backlog.writable();
        assertThat(written).containsExactly(0, 1);
        assertThat(handedOver).containsExactly(0, 1);
    }

    private static ByteBuf frame(int n) {
        return Unpooled.buffer(4).writeInt(n);
    }

    private class Outlet implements Backlog.Outlet {
        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void sendAndTell(ByteBuf frame, ChannelFutureListener listener) {
            written.add(frame.getInt(0));
            frame.release();
        }

        @Override
        public ChannelFuture failedWrite(Throwable cause) {
            return channel.newFailedFuture(cause);
        }
    }

    private final class Recorded implements Backlog.Parcel {
        private final int n;

        Recorded(int n) {
            this.n = n;
        }

        @Override
        public ByteBuf claim(ByteBuf frame) {
            return frame;
        }

        @Override
        public void handedOver() {
            handedOver.add(n);
        }

        @Override
        public void written(ChannelFuture write) {}
    }
}
