package dev.hermod.internal.contract;

import dev.hermod.codec.Codec;
import dev.hermod.codec.ValueCoder;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.List;
import java.util.concurrent.Flow;

/** Reads the stream types of a contract: {@code Flow.Publisher<T>} parameters and results. */
final class StreamTypes {
    private StreamTypes() {}

    /**
     * The item type {@code T} if {@code t} is {@code Flow.Publisher<T>} (or {@code <? extends T>}),
     * else null.
     *
     * @throws IllegalArgumentException for a raw publisher, or one of references or of nothing
     */
    static Type itemType(Type t, Method m) {
        Class<?> raw = t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : t instanceof Class<?> c ? c : null;
        if (raw != Flow.Publisher.class) {
            if (raw != null && raw != Object.class && Flow.Publisher.class.isAssignableFrom(raw)) {
                throw invalid("declare streams as Flow.Publisher<T>, not " + raw.getSimpleName(), m);
            }
            return null;
        }
        if (!(t instanceof ParameterizedType p)) {
            throw invalid("a stream must name its item type, e.g. Flow.Publisher<String>", m);
        }
        Type item = p.getActualTypeArguments()[0];
        if (item instanceof WildcardType w) {
            item = w.getUpperBounds()[0];
        }
        if (item == Void.class || item == Object.class && !(p.getActualTypeArguments()[0] instanceof Class<?>)) {
            throw invalid("a stream must name a concrete item type, e.g. Flow.Publisher<String>", m);
        }
        if (item instanceof Class<?> c && c.isInterface() && c.isAnnotationPresent(dev.hermod.Remote.class)) {
            throw invalid("a stream of object references cannot travel; stream data", m);
        }
        return item;
    }

    /** The coder of one item of type {@code item}. */
    static ValueCoder itemCoder(Codec codec, Type item, Method m) {
        try {
            return codec.coder(List.of(item));
        } catch (IllegalArgumentException e) {
            throw invalid("cannot carry the stream's items: " + e.getMessage(), m);
        }
    }

    private static IllegalArgumentException invalid(String what, Method m) {
        return new IllegalArgumentException(what + " (for method " + Contract.describe(m) + ")");
    }
}
