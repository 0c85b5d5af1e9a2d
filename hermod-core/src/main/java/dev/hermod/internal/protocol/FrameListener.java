package dev.hermod.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;

/**
 * A write listener that holds the frame it listens for. Handed to {@link Link#sendAndTell} from a
 * thread other than the I/O thread, it waits in the link's queue as it is, where any other
 * listener is paired with its frame in an entry made for the purpose: one object less per request
 * a caller's thread sends.
 */
public interface FrameListener extends ChannelFutureListener {
    /** The frame this listens for, as handed to the link; the same until it has been written. */
    ByteBuf frame();

    /**
     * Whether the thread handing the frame over waits for its answer and does nothing meanwhile
     * (a synchronous call's request): it may then write the frame to the socket itself
     * ({@link DirectWrites}). False by default.
     */
    default boolean writeNow() {
        return false;
    }
}
