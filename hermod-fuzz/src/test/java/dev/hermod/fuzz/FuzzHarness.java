package dev.hermod.fuzz;

import dev.hermod.MarshalException;
import dev.hermod.RpcException;
import dev.hermod.codec.ValueCoder;
import dev.hermod.internal.codec.DecodeLimits;
import dev.hermod.internal.codec.JacksonCodec;
import dev.hermod.internal.protocol.BatchFrames;
import dev.hermod.internal.protocol.Frames;
import dev.hermod.internal.protocol.Link;
import dev.hermod.internal.protocol.PeerLog;
import dev.hermod.internal.protocol.ProtocolViolation;
import dev.hermod.internal.protocol.Wire;
import dev.hermod.security.Authenticator;
import dev.hermod.security.Credentials;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;

/**
 * What one fuzz input exercises: the bytes a peer sends, through Hermod's real pipeline (preamble
 * check, frame decoder, handshake with authentication, frame parsers) on an in-memory channel,
 * on the accepting or the dialling side; or a payload through the default codec's limit walk and
 * decoder. Anything a peer can send must end in a typed outcome: the frame is refused
 * ({@link ProtocolViolation}, the connection closes), or the payload is (MARSHAL,
 * RESOURCE_EXHAUSTED). An exception of any other kind, or a connection closed for an internal
 * error, is a finding: {@link #run} throws it.
 */
final class FuzzHarness {
    /** A record with the shapes contracts use: text, numbers, collections, bytes, nesting. */
    public record Sample(String name, int count, List<Long> values, Map<String, byte[]> blobs, Optional<Sample> next,
            Set<Double> ratios) {}

    private static final JacksonCodec CODEC = JacksonCodec.cbor();
    private static final List<ValueCoder> CODERS = List.of(
            CODEC.coder(List.<Type>of(String.class, int.class)),
            CODEC.coder(List.<Type>of(Sample.class)),
            CODEC.coder(List.<Type>of(types("listOfMaps"))),
            CODEC.coder(List.<Type>of(byte[].class, long.class, boolean.class)),
            CODEC.coder(List.<Type>of(types("optionalArray"), double.class)));
    private static final Authenticator AUTHENTICATOR = Authenticator.passwords((u, p) -> p.length == 2)
            .orElse(Authenticator.bearerTokens(t -> Optional.empty()));
    private static final PeerLog LOG = new PeerLog(LoggerFactory.getLogger(FuzzHarness.class), "fuzz");
    private static final Link.Settings SERVER = new Link.Settings(64 * 1024, Duration.ZERO, true, true, 0,
            Duration.ofSeconds(5), LOG, new Link.Handshake(Duration.ofSeconds(10), AUTHENTICATOR, Runnable::run, null));
    private static final Link.Settings CLIENT = new Link.Settings(64 * 1024, Duration.ZERO, false, true, 0,
            Duration.ofSeconds(5), LOG, new Link.Handshake(Duration.ofSeconds(10), null, null,
                    Credentials.password("fuzz", "pw".toCharArray())));

    private FuzzHarness() {}

    @SuppressWarnings("unused")
    private static List<Map<String, Integer>> listOfMaps;
    @SuppressWarnings("unused")
    private static Optional<String[]> optionalArray;

    private static Type types(String field) {
        try {
            return FuzzHarness.class.getDeclaredField(field).getGenericType();
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs one input: its first byte picks the target, the rest is what the peer sends. */
    static void run(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int mode = data[0] & 0xFF;
        ByteBuffer rest = ByteBuffer.wrap(data, 1, data.length - 1);
        switch (mode % 4) {
            case 0, 1 -> link(data, mode % 4 == 0, (mode & 0x80) != 0);
            case 2 -> decode(rest, CODERS.get((mode >>> 2) % CODERS.size()));
            default -> {
                ByteBuf b = Unpooled.wrappedBuffer(rest);
                try {
                    parse(b, (mode >>> 2) & 0x0F, 0);
                } catch (ProtocolViolation expected) {
                    // a truncated or malformed frame: refused as the protocol says
                } finally {
                    b.release();
                }
            }
        }
    }

    /** The peer's bytes, after a valid preamble (so that most inputs reach the frames), on one side. */
    private static void link(byte[] data, boolean accepting, boolean rawPreamble) {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                Link.install(c, accepting ? SERVER : CLIENT, Listener::new,
                        accepting ? null : new CompletableFuture<>());
            }
        });
        try {
            ByteBuf in = Unpooled.buffer(data.length + 8);
            if (!rawPreamble) {
                in.writeInt(Wire.MAGIC).writeShort(Wire.VERSION).writeShort(data.length > 1 ? data[1] & 1 : 0);
            }
            in.writeBytes(data, 1, data.length - 1);
            ch.writeInbound(in);
            ch.checkException();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** Receives frames as a connection would, and parses each as its type says. */
    private static final class Listener implements Link.Listener {
        Listener(Link link) {
            // one per link, as a connection is
        }

        @Override
        public void onFrame(Link l, int type, int flags, ByteBuf body) {
            if (type == Wire.REQUEST && (flags & Wire.FLAG_COMPRESSED) != 0) {
                Frames.RequestHeader h = Frames.readRequest(body);
                ByteBuf plain = l.decompress(body);
                try {
                    decode(Frames.payload(plain), CODERS.get(Math.floorMod(h.operation().hashCode(), CODERS.size())));
                } finally {
                    plain.release();
                }
                return;
            }
            parse(body, type, flags);
        }

        @Override
        public void onClose(Link l, RpcException cause) {
            String m = String.valueOf(cause.getMessage());
            if (m.contains("internal error")) {
                throw new AssertionError("a connection closed for an internal error: " + m, cause.getCause());
            }
        }

    }

    /** Parses a frame body of {@code type} with the protocol's own readers, and decodes its payloads. */
    static void parse(ByteBuf body, int type, int flags) {
        switch (type) {
            case Wire.REQUEST -> {
                Frames.RequestHeader h = Frames.readRequest(body);
                decode(Frames.payload(body), CODERS.get(Math.floorMod(h.operation().hashCode(), CODERS.size())));
            }
            case Wire.BATCH -> {
                long count = BatchFrames.checkBatch(body);
                for (long i = 0; i < count; i++) {
                    BatchFrames.BatchItem item = BatchFrames.nextBatchItem(body);
                    Frames.RequestHeader h = Frames.readRequest(item.body());
                    decode(Frames.payload(item.body()), CODERS.get(Math.floorMod(h.service().hashCode(), CODERS.size())));
                }
            }
            case Wire.REPLY -> {
                Frames.ReplyHeader h = Frames.readReply(body);
                if (h.outcome() == Wire.OUTCOME_FAILURE) {
                    Frames.readFailure(body);
                } else {
                    decode(Frames.payload(body), CODERS.get(h.requestId() & 3));
                }
            }
            case Wire.CANCEL -> Frames.readCancel(body);
            case Wire.PROGRESS -> Frames.readProgress(body);
            case Wire.GOAWAY -> Frames.readGoAway(body);
            default -> { }
        }
    }

    /** A payload through the codec as dispatch takes it: the limit walk first, then the decoder. */
    static void decode(ByteBuffer payload, ValueCoder coder) {
        try {
            ((DecodeLimits.Sized) coder).decodedSize(payload.duplicate());
            ((DecodeLimits.Sized) coder).decodeSized(payload.duplicate());
        } catch (DecodeLimits.Exceeded | MarshalException expected) {
            // RESOURCE_EXHAUSTED or MARSHAL for the caller
        } catch (IOException expected) {
            // a payload that does not decode as the declared types: MARSHAL
        }
    }
}
