package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A caller's request buffers come back to the thread that took them once released, from whichever
 * thread releases them, each as good as new; buffers that grew large, and those past what a
 * thread keeps, are dropped.
 */
final class CallerBuffersTest {

    /** Releases {@code buffers} on another thread, as the I/O thread does after copying them. */
    private static void releaseElsewhere(List<ByteBuf> buffers) throws Exception {
        CompletableFuture.runAsync(() -> buffers.forEach(ByteBuf::release)).get(10, TimeUnit.SECONDS);
    }

    /** Takes what this thread keeps (earlier tests on it may have left some), so that the next buffer taken is new. */
    private static List<ByteBuf> takeKept() {
        List<ByteBuf> held = new ArrayList<>();
        for (int i = 0; i < CallerBuffers.KEPT; i++) {
            held.add(CallerBuffers.INSTANCE.buffer(64));
        }
        return held;
    }

    @Test
    void aBufferReleasedOnAnotherThread_isTakenAgainByItsThread_emptyWithOneReference() throws Exception {
        List<ByteBuf> held = takeKept();
        ByteBuf first = CallerBuffers.INSTANCE.buffer(64);
        first.writeLong(42).readByte();
        releaseElsewhere(List.of(first));

        ByteBuf again = CallerBuffers.INSTANCE.buffer(64);
        assertThat(again).isSameAs(first);
        assertThat(again.refCnt()).isEqualTo(1);
        assertThat(again.readerIndex()).isZero();
        assertThat(again.writerIndex()).isZero();
        again.writeInt(7);
        assertThat(again.readInt()).isEqualTo(7);
        again.release();
        assertThatThrownBy(again::release).isInstanceOf(IllegalReferenceCountException.class);
        assertThat(CallerBuffers.INSTANCE.buffer(64)).isSameAs(first).satisfies(ByteBuf::release);
        held.forEach(ByteBuf::release);
    }

    @Test
    void aBufferThatGrewLarge_isNotKept() throws Exception {
        ByteBuf grown = CallerBuffers.INSTANCE.buffer(64);
        grown.writeBytes(new byte[CallerBuffers.KEPT_CAPACITY + 1]);
        releaseElsewhere(List.of(grown));

        ByteBuf next = CallerBuffers.INSTANCE.buffer(64);
        assertThat(next).isNotSameAs(grown);
        next.release();
    }

    @Test
    void aThreadKeepsAtMostItsShare_andTheBuffersItKeepsAreDistinct() throws Exception {
        List<ByteBuf> held = takeKept();
        List<ByteBuf> taken = new ArrayList<>();
        for (int i = 0; i < CallerBuffers.KEPT + 50; i++) {
            taken.add(CallerBuffers.INSTANCE.buffer(64));
        }
        releaseElsewhere(taken);

        Set<ByteBuf> kept = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<ByteBuf> again = new ArrayList<>();
        for (int i = 0; i < CallerBuffers.KEPT + 50; i++) {
            ByteBuf b = CallerBuffers.INSTANCE.buffer(64);
            again.add(b);
            if (taken.stream().anyMatch(t -> t == b)) {
                assertThat(kept.add(b)).isTrue();
            }
        }
        assertThat(kept).hasSize(CallerBuffers.KEPT);
        again.forEach(ByteBuf::release);
        held.forEach(ByteBuf::release);
    }
}
