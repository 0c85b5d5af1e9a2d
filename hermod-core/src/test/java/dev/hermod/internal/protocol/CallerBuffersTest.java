package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The callers' frame buffers are recycled: a released one comes back, empty and with one
 * reference, to the thread that took it, also when another thread released it (as the I/O thread
 * does once it copied the frame); one released twice fails as any Netty buffer does; a large one
 * is not kept.
 */
final class CallerBuffersTest {
    /**
     * Takes and releases buffers until one comes back that was taken before, so that the test
     * does not depend on how many new objects the recycler lets go unpooled.
     */
    private static ByteBuf reused(List<ByteBuf> given) {
        for (int i = 0; i < 1000; i++) {
            ByteBuf b = CallerBuffers.INSTANCE.buffer(64);
            if (given.stream().anyMatch(g -> g == b)) {
                return b;
            }
            b.writeLong(0x0102030405060708L).writeLong(i);
            given.add(b);
            b.release();
        }
        throw new AssertionError("no buffer came back after 1000 releases");
    }

    @Test
    void releasedBuffer_comesBackEmptyWithOneReference() {
        List<ByteBuf> given = new ArrayList<>();
        ByteBuf b = reused(given);
        assertThat(b.refCnt()).isEqualTo(1);
        assertThat(b.readerIndex()).isZero();
        assertThat(b.writerIndex()).isZero();
        assertThat(b.capacity()).isGreaterThanOrEqualTo(64);
        assertThat(b.maxCapacity()).isEqualTo(Integer.MAX_VALUE);
        b.writeInt(7);
        assertThat(b.readInt()).isEqualTo(7);
        assertThat(b.release()).isTrue();
    }

    @Test
    void reusedBuffer_takesTheNewMaxCapacity_andGrowsToTheNewSize() {
        List<ByteBuf> given = new ArrayList<>();
        reused(given).release();
        ByteBuf b = null;
        for (int i = 0; i < 1000 && b == null; i++) {
            ByteBuf next = CallerBuffers.INSTANCE.buffer(1000, 2000);
            if (given.stream().anyMatch(g -> g == next)) {
                b = next;
            } else {
                given.add(next);
                next.release();
            }
        }
        assertThat(b).as("a buffer taken before").isNotNull();
        assertThat(b.capacity()).isBetween(1000, 2000);
        assertThat(b.maxCapacity()).isEqualTo(2000);
        ByteBuf full = b;
        assertThatThrownBy(() -> full.writeZero(2001)).isInstanceOf(IndexOutOfBoundsException.class);
        b.release();
    }

    @Test
    void releasedTwice_failsAsANettyBufferDoes() {
        ByteBuf b = CallerBuffers.INSTANCE.buffer(64);
        b.release();
        assertThatThrownBy(b::release).isInstanceOf(IllegalReferenceCountException.class);
    }

    @Test
    void releasedOnAnotherThread_comesBackToTheThreadThatTookIt() throws Exception {
        List<ByteBuf> given = new ArrayList<>();
        for (int round = 0; round < 1000; round++) {
            ByteBuf b = CallerBuffers.INSTANCE.buffer(64);
            if (given.stream().anyMatch(g -> g == b)) {
                assertThat(b.refCnt()).isEqualTo(1);
                assertThat(b.writerIndex()).isZero();
                b.release();
                return;
            }
            given.add(b);
            CompletableFuture.runAsync(b::release).get(5, TimeUnit.SECONDS); // as the I/O thread does
        }
        throw new AssertionError("no buffer released on another thread came back");
    }

    @Test
    void bufferGrownPastTheKeptSize_isNotReused() {
        List<ByteBuf> large = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ByteBuf b = CallerBuffers.INSTANCE.buffer(64);
            b.writeZero(CallerBuffers.Recycled.KEPT + 1); // grows past what is kept
            large.add(b);
            b.release();
        }
        for (int i = 0; i < 200; i++) {
            ByteBuf b = CallerBuffers.INSTANCE.buffer(64);
            assertThat(large).noneMatch(l -> l == b);
            b.release();
        }
    }
}
