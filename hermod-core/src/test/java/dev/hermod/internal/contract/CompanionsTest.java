package dev.hermod.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;
import dev.hermod.Remote;
import dev.hermod.tools.ServantOf;
import dev.hermod.internal.codec.JacksonCodec;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** How companions are matched to their contract, on the types alone (no server, no client). */
final class CompanionsTest {

    @Remote
    public interface Store {
        byte[] read(int key) throws IOException;

        List<String> keys();

        void clear();

        CompletionStage<Long> size();
    }

    /** A result handle that also names the exception its value() throws, as a typed companion may return. */
    public interface Typed<T, E extends Exception> extends AsyncResult<T> {}

    /** Binds only the value type, leaving another parameter open. */
    public abstract static class KeysFuture<X> extends CompletableFuture<List<String>> {}

    @CompanionOf(Store.class)
    public interface TypedStoreAsync {
        Typed<byte[], IOException> read(int key);

        AsyncResult<List<String>> keys();

        CompletionStage<Void> clear();

        AsyncResult<Long> size();
    }

    @ServantOf(Store.class)
    public interface StoreServant {
        CompletableFuture<byte[]> read(int key) throws IOException;

        KeysFuture<Integer> keys();

        void clear();

        CompletionStage<Long> size();
    }

    @ServantOf(Store.class)
    public interface RawServant {
        @SuppressWarnings("rawtypes")
        CompletionStage read(int key);

        List<String> keys();

        void clear();

        CompletionStage<Long> size();
    }

    private static Contract store() {
        return Contract.of(Store.class, JacksonCodec.cbor());
    }

    private static Type returnOf(Class<?> type, String method) throws NoSuchMethodException {
        for (var m : type.getMethods()) {
            if (m.getName().equals(method)) {
                return m.getGenericReturnType();
            }
        }
        throw new NoSuchMethodException(method);
    }

    @Test
    void stageValue_followsTypeArgumentsThroughSubtypes() throws Exception {
        assertThat(Companions.stageValue(returnOf(TypedStoreAsync.class, "read"))).isEqualTo(byte[].class);
        assertThat(Companions.stageValue(returnOf(TypedStoreAsync.class, "keys")))
                .isEqualTo(returnOf(Store.class, "keys"));
        assertThat(Companions.stageValue(returnOf(StoreServant.class, "keys")))
                .isEqualTo(returnOf(Store.class, "keys"));
        assertThat(Companions.stageValue(returnOf(RawServant.class, "read"))).isNull();
        assertThat(Companions.stageValue(returnOf(Store.class, "keys"))).isNull();
    }

    @Test
    void checkClient_asyncResultSubtypeCarryingTheResult_isAccepted() {
        Companions.checkClient(TypedStoreAsync.class, store());
    }

    @Test
    void answers_servantForm_mapsEachOperationToItsMethodAndMode() {
        Map<String, Companions.Answer> answers = Companions.answers(store(), StoreServant.class);

        assertThat(answers).containsOnlyKeys("read", "keys", "clear", "size");
        assertThat(answers.get("read").later()).isTrue();
        assertThat(answers.get("keys").later()).isTrue();
        assertThat(answers.get("clear").later()).as("declared like the contract: answered on return").isFalse();
        assertThat(answers.get("size").later()).as("the contract's own stage").isTrue();
        assertThat(answers.get("read").method().getDeclaringClass()).isEqualTo(StoreServant.class);
    }

    @Test
    void answers_rawStage_isRefusedNamingTheMethod() {
        assertThatThrownBy(() -> Companions.answers(store(), RawServant.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("returns CompletionStage, but Store.read(int) returns byte[]: a servant companion method"
                        + " returns byte[] or CompletionStage<byte[]> (for method RawServant.read(int))");
    }
}
