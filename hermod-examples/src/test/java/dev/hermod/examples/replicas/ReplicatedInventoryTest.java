package dev.hermod.examples.replicas;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@link ReplicatedInventory} as its README command does (an embedded ZooKeeper, four replica
 * processes) and reads its table: each replica that was up answered reads, the killed one none
 * after the kill, the added one some, and no read failed. The example itself waits on conditions
 * (each replica up has answered 10 reads) with a minute's bound, so a loaded machine only makes it
 * slower.
 */
@Timeout(value = 180, unit = SECONDS)
final class ReplicatedInventoryTest {
    private static final Pattern ROW = Pattern.compile(
            "(?m)^  (three replicas|replica-2 killed|replica-4 added) +\\d+\\.\\d s +(\\S+) +(\\S+) +(\\S+) +(\\S+)$");

    @Test
    void run_oneReplicaKilledAndOneAdded_readsGoToTheReplicasUp_andNoneFails() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        ReplicatedInventory.Outcome outcome = ReplicatedInventory.run(new PrintStream(bytes, true, UTF_8), null);

        String out = bytes.toString(UTF_8);
        Map<String, List<String>> rows = rows(out);
        assertThat(rows).as(out).containsOnlyKeys("three replicas", "replica-2 killed", "replica-4 added");
        // columns: replica-1, replica-2, replica-3, replica-4 ("-" before it started)
        assertThat(rows.get("three replicas")).as(out).satisfies(row -> {
            assertThat(row.subList(0, 3)).allSatisfy(n -> assertThat(Integer.parseInt(n)).isPositive());
            assertThat(row.get(3)).isEqualTo("-");
        });
        assertThat(rows.get("replica-2 killed")).as(out).satisfies(row -> {
            assertThat(Integer.parseInt(row.get(0))).isPositive();
            assertThat(row.get(1)).as("the killed replica").isEqualTo("0");
            assertThat(Integer.parseInt(row.get(2))).isPositive();
            assertThat(row.get(3)).isEqualTo("-");
        });
        assertThat(rows.get("replica-4 added")).as(out).satisfies(row -> {
            assertThat(Integer.parseInt(row.get(0))).isPositive();
            assertThat(row.get(1)).as("the killed replica").isEqualTo("0");
            assertThat(Integer.parseInt(row.get(2))).isPositive();
            assertThat(Integer.parseInt(row.get(3))).as("the added replica").isPositive();
        });
        assertThat(out).containsPattern("reads: [1-9]\\d* answered, 0 failed")
                .contains("killed replica-2 (pid ")
                .contains("ZooKeeper dropped replica-2's node");
        assertThat(outcome.failed()).isZero();
        assertThat(ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(Replica.class.getName())))
                .as("no replica outlives the example").isEmpty();
    }

    /** The table's rows: a phase's label, then the reads each replica answered. */
    private static Map<String, List<String>> rows(String out) {
        Map<String, List<String>> rows = new HashMap<>();
        Matcher m = ROW.matcher(out);
        while (m.find()) {
            rows.put(m.group(1), List.of(m.group(2), m.group(3), m.group(4), m.group(5)));
        }
        return rows;
    }
}
