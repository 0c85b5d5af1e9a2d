package dev.hermod.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The pending-call table: ids skip 0 and any id still taken, calls beyond the array's slots are
 * kept all the same, a removal by id never takes a later addition, and a connection's close takes
 * every call exactly once.
 */
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

    /** More calls wait than the array has slots: the later ones share slots' indexes and are all kept. */
    @Test
    void add_moreCallsThanSlots_allWaitAndAreFound() {
        RequestTable<Integer> table = new RequestTable<>();
        int n = RequestTable.SLOTS * 3 + 7;
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(table.add(i));
        }

        assertThat(new HashSet<>(ids)).hasSize(n);
        assertThat(table.size()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(table.get(ids.get(i))).isEqualTo(i);
        }
        assertThat(table.snapshot()).hasSize(n);
        for (int i = 0; i < n; i += 2) {
            assertThat(table.remove(ids.get(i))).isEqualTo(i);
            assertThat(table.remove(ids.get(i))).isNull();
        }
        for (int i = 1; i < n; i += 2) {
            assertThat(table.remove(ids.get(i), i + 1)).isFalse();
            assertThat(table.remove(ids.get(i), i)).isTrue();
        }
        assertThat(table.isEmpty()).isTrue();
        assertThat(table.snapshot()).isEmpty();
    }

    /** A call removed and added again (a retry) is not removed by its old id, nor by another id of its slot. */
    @Test
    void remove_byAnotherId_leavesTheCall() {
        RequestTable<String> table = new RequestTable<>();
        String call = "call";
        int first = table.add(call);
        assertThat(table.remove(first, call)).isTrue();
        int second = table.add(call);

        assertThat(table.remove(first, call)).isFalse();
        assertThat(table.remove(first)).isNull();
        table.restartIdsAt(second + RequestTable.SLOTS - 1);
        int third = table.add("other"); // the same slot as second's
        assertThat(third).isEqualTo(second + RequestTable.SLOTS);
        assertThat(table.remove(third, call)).isFalse();
        assertThat(table.remove(third)).isEqualTo("other");
        assertThat(table.get(second)).isSameAs(call);
        assertThat(table.size()).isEqualTo(1);
    }

    /** Once the counter wraps around, ids still taken are skipped, in the array or beyond it; 0 is never given. */
    @Test
    void add_afterWrapAround_skipsIdsStillTakenAndZero() {
        RequestTable<String> table = new RequestTable<>();
        assertThat(table.add("in slot")).isEqualTo(1);
        table.restartIdsAt(RequestTable.SLOTS);
        assertThat(table.add("beyond")).isEqualTo(RequestTable.SLOTS + 1); // its slot is taken by id 1

        table.restartIdsAt(0);
        assertThat(table.add("a")).isEqualTo(2); // 1 is taken
        table.restartIdsAt(RequestTable.SLOTS);
        assertThat(table.add("b")).isEqualTo(RequestTable.SLOTS + 2); // SLOTS + 1 is taken
        assertThat(table.remove(1)).isEqualTo("in slot");
        table.restartIdsAt(RequestTable.SLOTS);
        assertThat(table.add("c")).isEqualTo(RequestTable.SLOTS + 3); // the slot is free, the id is not

        table.restartIdsAt(-2);
        assertThat(table.add("d")).isEqualTo(-1);
        assertThat(table.add("e")).isEqualTo(1); // skips 0; 1 is free again
        assertThat(table.get(-1)).isEqualTo("d");
        assertThat(table.size()).isEqualTo(6);
    }

    /** A serving side files requests under its peer's ids: a repeated id replaces, ids that share a slot are all kept. */
    @Test
    void put_peersIds_replaceAndShareSlots() {
        RequestTable<String> table = new RequestTable<>(4);
        table.put(7, "a");
        table.put(11, "b"); // the slot of 7
        table.put(7, "a2");

        assertThat(table.get(7)).isEqualTo("a2");
        assertThat(table.get(11)).isEqualTo("b");
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.remove(7, "a")).isFalse();
        assertThat(table.remove(7, "a2")).isTrue();
        table.put(11, "b2"); // replaced where it is, though its slot is free now
        assertThat(table.get(11)).isEqualTo("b2");
        assertThat(table.snapshot()).containsExactly("b2");
        table.put(3, "c");
        assertThat(table.containsKey(3)).isTrue();
        assertThat(table.containsKey(15)).isFalse();
        assertThat(table.remove(11)).isEqualTo("b2");
        assertThat(table.containsKey(11)).isFalse();
        assertThat(table.size()).isEqualTo(1);
        assertThatThrownBy(() -> new RequestTable<String>(12)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
    }

    /** A request that is its own entry, as a server's invocation is. */
    private static final class Request extends RequestTable.Entry<Request> {
        final String name;

        Request(int id, String name) {
            super(id);
            this.name = name;
        }
    }

    /** Requests that are their own entries are filed, found, replaced and removed as any other. */
    @Test
    void put_selfEntries_areFiledFoundReplacedAndRemovedLikeOthers() {
        RequestTable<Request> table = new RequestTable<>(4);
        Request a = new Request(7, "a");
        Request b = new Request(11, "b"); // the slot of 7: kept beside it
        Request a2 = new Request(7, "a2");
        table.put(a);
        table.put(b);

        assertThat(table.get(7)).isSameAs(a);
        assertThat(table.get(11)).isSameAs(b);
        table.put(a2);
        assertThat(table.get(7)).isSameAs(a2);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.remove(7, a)).isFalse();
        assertThat(table.remove(7, a2)).isTrue();
        assertThat(table.remove(11, b)).isTrue();
        assertThat(table.isEmpty()).isTrue();
        table.put(a);
        table.put(new Request(2, "c"));
        assertThat(table.takeAll()).extracting(r -> r.name).containsExactlyInAnyOrder("a", "c");
        assertThat(table.isEmpty()).isTrue();
    }

    /** An entry made for one addition: it learns its id, in the array or beyond it, and its call is found and removed by it. */
    @Test
    void add_entriesMadeForTheAddition_learnTheirIds_inSlotsAndBeyond() {
        RequestTable<String> table = new RequestTable<>(2);
        List<Attempt> attempts = new ArrayList<>();
        for (String call : List.of("a", "b", "c", "a")) { // "a" twice: a retry on the same connection
            Attempt attempt = new Attempt(call);
            assertThat(attempt.id()).isZero();
            int id = table.add(attempt);
            assertThat(attempt.id()).isEqualTo(id);
            attempts.add(attempt);
        }

        assertThat(attempts).extracting(Attempt::id).containsExactly(1, 2, 3, 4); // 3 and 4 beyond the 2 slots
        assertThat(attempts).allSatisfy(a -> assertThat(table.get(a.id())).isEqualTo(a.name));
        assertThat(table.remove(attempts.get(0).id(), "b")).isFalse();
        assertThat(table.remove(attempts.get(0).id(), "a")).isTrue();
        assertThat(table.get(attempts.get(3).id())).as("the later addition of the same call").isEqualTo("a");
        assertThat(table.remove(attempts.get(2).id(), "c")).isTrue();
        assertThat(table.takeAll()).containsExactlyInAnyOrder("b", "a");
    }

    /** An object made for one addition of a call, which is also its entry. */
    private static final class Attempt extends RequestTable.Entry<String> {
        final String name;

        Attempt(String call) {
            super(call);
            this.name = call;
        }
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
        assertThat(table.isEmpty()).isTrue();
    }

    /** Threads adding and removing at once: every call is removed exactly once, by the id it was given. */
    @Test
    void addAndRemove_fromSeveralThreads_eachCallOnce() throws Exception {
        RequestTable<int[]> table = new RequestTable<>();
        int perThread = 200_000;
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean wrong = new AtomicBoolean();
        for (int t = 0; t < 3; t++) {
            Thread thread = new Thread(() -> {
                int[][] window = new int[1500][]; // more waiting than the array holds, so both paths are taken
                for (int i = 0; i < perThread; i++) {
                    int k = i % window.length;
                    if (window[k] != null && table.remove(window[k][0]) != window[k]) {
                        wrong.set(true);
                    }
                    int[] call = new int[1];
                    call[0] = table.add(call);
                    window[k] = call;
                }
                for (int[] call : window) {
                    if (call != null && !table.remove(call[0], call)) {
                        wrong.set(true);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(wrong).isFalse();
        assertThat(table.size()).isZero();
        assertThat(table.snapshot()).isEmpty();
    }
}
