package dev.hermod.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hermod.examples.employees.EmployeesExample;
import dev.hermod.examples.events.ChatExample;
import dev.hermod.examples.events.FileMonitorExample;
import dev.hermod.examples.inventory.InventoryExample;
import dev.hermod.examples.jobs.JobsExample;
import dev.hermod.examples.transfer.TransferExample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs each example program and checks what it reports. */
final class ExamplesTest {

    private static String capture(ThrowingConsumer<PrintStream> program) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        program.accept(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingConsumer<T> {
        void accept(T t) throws Exception;
    }

    @Test
    void employeesExample_syncAsyncAndCallbacks() throws Exception {
        String out = capture(EmployeesExample::run);
        assertThat(out)
                .contains("sync:     getName(99) = Ken Thompson")
                .contains("async:    getName(99) = Ken Thompson")
                .contains("async:    getName(5) failed: no employee 5")
                .contains("widget1 shows: Ada Lovelace")
                .contains("widget2 shows: Grace Hopper")
                .contains("exception callback: NoSuchEmployee: no employee has number 5");
    }

    @Test
    void jobsExample_progressWaitAndCancel() throws Exception {
        String out = capture(o -> JobsExample.run(o, 50));
        assertThat(out)
                .contains("web-1:   0% allocating memory")
                .contains("web-1: 100% running")
                .contains("web-1 is running")
                .contains("db-1 start canceled")
                .contains("db-1 is stopped");
    }

    @Test
    void inventoryExample_asyncFanOutFindsSameInventoryAsSync() throws Exception {
        InventoryExample.Outcome[] outcomes = InventoryExample.run(new PrintStream(new ByteArrayOutputStream()), 20, 2);
        assertThat(outcomes[1].inventory()).isEqualTo(outcomes[0].inventory()).hasSize(20);
        assertThat(outcomes[0].calls()).isEqualTo(61);
        assertThat(outcomes[1].calls()).isEqualTo(61);
        assertThat(outcomes[1].inventory().get("vm-007").get(0)).containsExactly("vm-007-boot", "vm-007-data");
    }

    @Test
    void transferExample_windowedChunks_arriveIntact() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // 3 MiB and a bit: the last chunk is partial.
        assertThat(TransferExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 3 * 1024 * 1024 + 1234))
                .isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("checksum matches");
    }

    @Test
    void fileMonitorExample_callsTheClientBack_inBackgroundAndWhenPolled() throws Exception {
        String out = capture(FileMonitorExample::run);
        assertThat(out)
                .contains("background: file changed, size 0 -> 5")
                .contains("background: monitor stopped; calling it now fails: OBJECT_NOT_FOUND")
                .contains("manual: before polling, 0 changes seen")
                .containsPattern("manual: polling served \\d+ calls?: size 5 -> 14");
    }

    @Test
    void chatExample_everyMemberReceivesTheSameMessagesInTheSameOrder() throws Exception {
        Map<String, List<String>> transcripts = ChatExample.run(new PrintStream(new ByteArrayOutputStream()));
        List<String> expected = List.of("room: alice joined", "room: bob joined", "room: carol joined",
                "alice: hello, everyone", "bob: hi alice", "room: carol left", "alice: carol has gone");
        assertThat(transcripts.get("bob")).isEqualTo(expected.subList(1, expected.size()));
        assertThat(transcripts.get("alice")).isEqualTo(expected);
        // carol left before the last message: she has the ones posted while she was a member.
        assertThat(transcripts.get("carol")).isEqualTo(expected.subList(2, 5));
    }
}
