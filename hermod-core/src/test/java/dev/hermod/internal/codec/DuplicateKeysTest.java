package dev.hermod.internal.codec;

import static dev.hermod.internal.codec.CodecTesting.RAW;
import static dev.hermod.internal.codec.CodecTesting.coder;
import static dev.hermod.internal.codec.CodecTesting.decode;
import static dev.hermod.internal.codec.CodecTesting.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.hermod.codec.ValueCoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A map that repeats a key is refused ({@link DuplicateKeys}), wherever it is: a record's, a
 * {@code Map}'s, one nested in a list, one inside a value the record does not know and skips,
 * a map past the keys compared one by one; and the same key in different maps is no repeat.
 */
class DuplicateKeysTest {
    record Employee(String name, int number, Color color) {}

    record Team(String name, Employee lead, List<Employee> members) {}

    enum Color { RED, GREEN }

    record Node(int a, int b, int c, int d, int e, Node child) {}

    /** Writes a one-value message: an array holding what {@code body} writes. */
    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = RAW.getFactory().createGenerator(out)) {
            g.writeStartArray(null, 1);
            body.write(g);
            g.writeEndArray();
        }
        return out.toByteArray();
    }

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static void employee(JsonGenerator g, String... extraKeys) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", "Ada");
        g.writeNumberField("number", 7);
        g.writeStringField("color", "RED");
        for (String key : extraKeys) {
            g.writeStringField(key, "again");
        }
        g.writeEndObject();
    }

    @Test
    void aRecordRepeatingAKey_afterAllItsComponents_isRefused() {
        assertThatThrownBy(() -> decode(coder(Employee.class), message(g -> employee(g, "name"))))
                .isInstanceOf(IOException.class).hasMessageContaining("Duplicate field 'name'");
    }

    @Test
    void aRecordNestedInAList_repeatingAKey_isRefused() {
        byte[] payload = assertDoesNotFailToWrite(g -> {
            g.writeStartObject();
            g.writeStringField("name", "core");
            g.writeFieldName("members");
            g.writeStartArray();
            employee(g);
            employee(g, "color");
            g.writeEndArray();
            g.writeEndObject();
        });
        assertThatThrownBy(() -> decode(coder(Team.class), payload))
                .isInstanceOf(IOException.class).hasMessageContaining("Duplicate field 'color'");
    }

    @Test
    void theSameKeysInSiblingAndNestedMaps_areNoRepeat() throws IOException {
        Team team = new Team("name", new Employee("lead", 1, Color.RED),
                List.of(new Employee("a", 2, Color.GREEN), new Employee("b", 3, Color.RED)));
        ValueCoder coder = coder(Team.class);

        assertThat(decode(coder, encode(coder, team))).containsExactly(team);
    }

    @Test
    void aRepeatInsideAValueTheRecordDoesNotKnow_isRefusedToo() {
        // Skipped, not read: Jackson's own detection refused it as well.
        byte[] payload = assertDoesNotFailToWrite(g -> {
            g.writeStartObject();
            g.writeStringField("name", "Ada");
            g.writeFieldName("unknown");
            g.writeStartObject();
            g.writeNumberField("x", 1);
            g.writeNumberField("x", 2);
            g.writeEndObject();
            g.writeEndObject();
        });
        assertThatThrownBy(() -> decode(coder(Employee.class), payload))
                .isInstanceOf(IOException.class).hasMessageContaining("Duplicate field 'x'");
    }

    @Test
    void aMapOfManyKeys_repeatingOneBeforeOrAfterTheKeysComparedOneByOne_isRefused() {
        for (int keys : new int[] {DuplicateKeys.SCANNED, DuplicateKeys.SCANNED + 1, 40, 3_000}) {
            for (int repeated : new int[] {0, DuplicateKeys.SCANNED - 1, keys - 1}) {
                byte[] payload = assertDoesNotFailToWrite(g -> {
                    g.writeStartObject();
                    for (int i = 0; i < keys; i++) {
                        g.writeNumberField("k" + i, i);
                    }
                    g.writeNumberField("k" + repeated, -1);
                    g.writeEndObject();
                });
                assertThatThrownBy(() -> decode(coder(new CodecTesting.TypeRef<Map<String, Integer>>() {}.type()),
                        payload)).as("%d keys, k%d repeated", keys, repeated)
                        .isInstanceOf(IOException.class).hasMessageContaining("Duplicate field 'k" + repeated + "'");
            }
        }
    }

    @Test
    void aMapOfManyDistinctKeys_decodesWhole() throws IOException {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < 3_000; i++) {
            map.put("k" + i, i);
        }
        ValueCoder coder = coder(new CodecTesting.TypeRef<Map<String, Integer>>() {}.type());

        assertThat(decode(coder, encode(coder, map))).containsExactly(map);
    }

    @Test
    void mapsNestedDeeperThanTheArraysFirstHold_areCheckedAtEveryLevel() throws IOException {
        // 12 levels of 6 keys: more open maps and more keys than the arrays start with.
        Node chain = null;
        for (int level = 0; level < 12; level++) {
            chain = new Node(level, level, level, level, level, chain);
        }
        ValueCoder coder = coder(Node.class);
        assertThat(decode(coder, encode(coder, chain))).containsExactly(chain);

        byte[] repeatedDeepest = assertDoesNotFailToWrite(g -> nested(g, 12));
        assertThatThrownBy(() -> decode(coder, repeatedDeepest))
                .isInstanceOf(IOException.class).hasMessageContaining("Duplicate field 'e'");
    }

    /** {@code levels} maps of keys a to e and child, the innermost repeating e. */
    private static void nested(JsonGenerator g, int levels) throws IOException {
        g.writeStartObject();
        for (String k : List.of("a", "b", "c", "d", "e")) {
            g.writeNumberField(k, levels);
        }
        if (levels == 0) {
            g.writeNumberField("e", -1);
        } else {
            g.writeFieldName("child");
            nested(g, levels - 1);
        }
        g.writeEndObject();
    }

    @Test
    void afterAMessageRefusedInTheMiddleOfAMap_theThreadsNextMessagesDecode() throws IOException {
        ValueCoder coder = coder(Employee.class);
        byte[] refused = message(g -> employee(g, "number"));
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> decode(coder, refused)).hasMessageContaining("Duplicate field 'number'");
            // Keys of the refused message's open map must not count against the next message's.
            assertThat(decode(coder, message(g -> employee(g)))).containsExactly(new Employee("Ada", 7, Color.RED));
        }
    }

    private static byte[] assertDoesNotFailToWrite(Body body) {
        try {
            return message(body);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
