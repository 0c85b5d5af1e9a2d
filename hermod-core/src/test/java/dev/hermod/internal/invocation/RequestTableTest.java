package dev.hermod.internal.invocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pending-call table: ids skip 0, and a connection's close takes every call exactly once. */
final class RequestTableTest {
    @Test
    void add_idsStartAtOneAndAreDistinct() {
        RequestTable<String> table = new RequestTable<>();

        assertThat(table.add("a")).isEqualTo(1);
        assertThat(table.add("b")).isEqualTo(2);
        assertThat(table.get(1)).isEqualTo("a");
        assertThat(table.remove(2, "a")).isFalse();
        assertThat(table.remove(2)).isEqualTo("b");
        assertThat(table.size()).isEqualTo(1);
    }

    /**
     * A call added while the close takes the table is either taken by the close or still in the
     * table, where the adding thread finds it (RpcConnection.register removes it and fails it
     * then): never dropped by neither, which would leave it waiting for a reply that cannot come.
     */
    @Test
    void takeAll_racingAdds_loseNoCall() throws Exception {
        RequestTable<Integer> table = new RequestTable<>();
        int calls = 300_000;
        Set<Integer> taken = new HashSet<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread adder = new Thread(() -> {
            for (int i = 0; i < calls; i++) {
                table.add(i);
            }
            done.set(true);
        });
        adder.start();
        while (!done.get()) {
            List<Integer> all = table.takeAll();
            assertThat(taken.addAll(all) || all.isEmpty()).isTrue();
        }
        adder.join();
        taken.addAll(table.takeAll());

        assertThat(taken).hasSize(calls);
    }
}
