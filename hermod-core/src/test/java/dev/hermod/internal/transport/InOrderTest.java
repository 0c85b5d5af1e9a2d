package dev.hermod.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

final class InOrderTest {
    private final InOrder<String> order = new InOrder<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();

    /** What a call does with the future it gets: sends from a callback once the connection is there. */
    private void call(String name, CompletableFuture<String> source) {
        order.after(source).whenComplete((c, failure) -> sent.add(name + (failure == null ? "@" + c : " failed")));
    }

    @Test
    void callsWaitingOnOnePendingConnection_sendInTheOrderMade() {
        CompletableFuture<String> connecting = new CompletableFuture<>();
        for (int i = 0; i < 5; i++) {
            call("call" + i, connecting); // a plain future would run these callbacks last first
        }
        assertThat(sent).isEmpty();
        connecting.complete("a");
        assertThat(sent).containsExactly("call0@a", "call1@a", "call2@a", "call3@a", "call4@a");
    }

    @Test
    void connectionsReadyInAnotherOrder_callsStillSendInTheOrderMade() {
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        call("call0", first);
        call("call1", second);
        call("call2", CompletableFuture.completedFuture("c")); // ready, but behind waiting calls
        second.complete("b");
        assertThat(sent).isEmpty();
        first.complete("a");
        assertThat(sent).containsExactly("call0@a", "call1@b", "call2@c");
    }

    @Test
    void readyConnectionWithNothingWaiting_isHandedAsItIs() {
        CompletableFuture<String> ready = CompletableFuture.completedFuture("a");
        assertThat(order.after(ready)).isSameAs(ready);
        CompletableFuture<String> connecting = new CompletableFuture<>();
        CompletableFuture<String> waiting = order.after(connecting);
        assertThat(waiting).isNotSameAs(connecting);
        assertThat(order.after(ready)).as("behind a waiting call").isNotSameAs(ready).isNotDone();
        connecting.complete("b");
        assertThat(order.after(ready)).as("nothing waits any more").isSameAs(ready);
    }

    @Test
    void failedConnection_failsItsCallInItsTurn() {
        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletableFuture<String> later = new CompletableFuture<>();
        call("call0", failing);
        call("call1", later);
        later.complete("b");
        failing.completeExceptionally(new IllegalStateException("refused"));
        assertThat(sent).containsExactly("call0 failed", "call1@b");
    }

    @Test
    void callMadeWhileAnotherSends_goesAfterIt() {
        CompletableFuture<String> connecting = new CompletableFuture<>();
        order.after(connecting).whenComplete((c, failure) -> {
            sent.add("call0@" + c);
            call("call2", CompletableFuture.completedFuture("c")); // made from call0's send
        });
        call("call1", connecting);
        connecting.complete("a");
        assertThat(sent).containsExactly("call0@a", "call1@a", "call2@c");
    }

    @Test
    void abandonedCall_leavesTheLine_andTheOthersGoOn() {
        CompletableFuture<String> connecting = new CompletableFuture<>();
        call("call0", connecting);
        CompletableFuture<String> refused = order.after(connecting);
        InOrder.abandon(refused);
        assertThat(refused).isCancelled();
        call("call2", connecting);
        connecting.complete("a");
        assertThat(sent).containsExactly("call0@a", "call2@a");
        CompletableFuture<String> ready = CompletableFuture.completedFuture("b");
        assertThat(order.after(ready)).as("nothing waits any more").isSameAs(ready);
    }

    @Test
    void abandoningTheOnlyWaitingCall_letsTheNextOneThrough() {
        CompletableFuture<String> stuck = new CompletableFuture<>(); // a connection that never comes
        InOrder.abandon(order.after(stuck));
        call("call1", CompletableFuture.completedFuture("b"));
        assertThat(sent).containsExactly("call1@b");
    }

    @Test
    void abandon_leavesAConnectionsOwnFutureAlone() {
        CompletableFuture<String> connection = new CompletableFuture<>();
        InOrder.abandon(connection);
        assertThat(connection).isNotCancelled();
    }

    @Test
    void callsMadeFasterThanTheySend_areLeftToOthers_stillInOrder() {
        CompletableFuture<String> connecting = new CompletableFuture<>();
        int more = 500;
        order.after(connecting).whenComplete((c, failure) -> {
            sent.add("call0@" + c);
            for (int i = 1; i <= more; i++) { // made while the thread that completed the connection sends
                call("call" + i, CompletableFuture.completedFuture(c));
            }
        });
        Thread opener = new Thread(() -> connecting.complete("a"));
        opener.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == more + 1);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= more; i++) {
            expected.add("call" + i + "@a");
        }
        assertThat(sent).containsExactlyElementsOf(expected);
    }
}
