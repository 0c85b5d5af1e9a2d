package dev.hermod.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class ChunkSinkTest {

    @Test
    void verify_missingChunk_throws() {
        ChunkSink sink = new ChunkSink();
        byte[] chunk = ChunkSink.patternChunk(10);
        sink.accept(0, chunk, 10);
        sink.accept(20, chunk, 5);

        assertThatThrownBy(() -> sink.verify(25, 10, "test"))
                .isInstanceOf(BenchmarkFailure.class).hasMessageContaining("received 15 bytes in 2 chunks");
    }

    @Test
    void verify_chunksInAnyOrder_passes() {
        ChunkSink sink = new ChunkSink();
        byte[] chunk = ChunkSink.patternChunk(10);
        sink.accept(20, chunk, 5);
        sink.accept(0, chunk, 10);
        sink.accept(10, chunk, 10);

        sink.verify(25, 10, "test");
        assertThat(sink.reordered()).isEqualTo(2);
    }
}
