package dev.hermod;

import dev.hermod.tools.CompanionOf;
import java.nio.ByteBuffer;

/** The asynchronous companion of {@link Buffers}, as the processor would generate it. */
@CompanionOf(Buffers.class)
public interface BuffersAsync {
    AsyncResult.Throwing<Long, RuntimeException> sum(ByteBuffer data);

    AsyncResult.Throwing<String, RuntimeException> mixed(String tag, ByteBuffer a, int n, ByteBuffer b, ByteBuffer c);

    AsyncResult.Throwing<ByteBuffer, RuntimeException> echo(ByteBuffer data);

    AsyncResult.Throwing<ByteBuffer, RuntimeException> make(int size, boolean direct);

    AsyncResult.Throwing<ByteBuffer, RuntimeException> echoOnce(ByteBuffer data);

    AsyncResult.Throwing<String, RuntimeException> inspect(ByteBuffer data);

    AsyncResult.Throwing<Long, RuntimeException> fail(ByteBuffer data);

    AsyncResult.Throwing<Long, RuntimeException> slow(ByteBuffer data, long millis);

    AsyncResult.Throwing<Long, RuntimeException> sumLater(ByteBuffer data, long millis);
}
