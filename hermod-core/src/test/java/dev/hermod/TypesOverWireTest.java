package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import dev.hermod.Echo.Bean;
import dev.hermod.Echo.Color;
import dev.hermod.Echo.Point;
import dev.hermod.Echo.Shape;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every type the default codec carries, sent through a real server that echoes it back. */
final class TypesOverWireTest {

    private static Server server;
    private static Client client;
    private static Echo echo;

    @BeforeAll
    static void start() {
        Echo servant = (Echo) Proxy.newProxyInstance(Echo.class.getClassLoader(), new Class<?>[] {Echo.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "nothing" -> null;
                    case "concat" -> (String) args[0] + args[1] + ((Point) args[2]).label();
                    default -> args[0];
                });
        server = Hermod.server().host("127.0.0.1").add("echo", Echo.class, servant).start();
        client = TestServers.client(server);
        echo = client.proxy(Echo.class, "echo");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Test
    void primitives_roundTrip_equal() {
        assertThat(echo.ints(Integer.MIN_VALUE)).isEqualTo(Integer.MIN_VALUE);
        assertThat(echo.longs(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(echo.doubles(Math.PI)).isEqualTo(Math.PI);
        assertThat(echo.floats(1.5f)).isEqualTo(1.5f);
        assertThat(echo.bools(true)).isTrue();
        assertThat(echo.chars('\u00e9')).isEqualTo('\u00e9');
        assertThat(echo.bytes((byte) -7)).isEqualTo((byte) -7);
        assertThat(echo.shorts((short) 30000)).isEqualTo((short) 30000);
    }

    @Test
    void boxesAndNull_roundTrip_equal() {
        assertThat(echo.boxed(42)).isEqualTo(42);
        assertThat(echo.boxed(null)).isNull();
        assertThat(echo.string(null)).isNull();
        assertThat(echo.point(null)).isNull();
        assertThat(echo.string("h\u00e9llo \uD83D\uDE00")).isEqualTo("h\u00e9llo \uD83D\uDE00");
        assertThat(echo.string("")).isEmpty();
    }

    /**
     * Many small elements, whose encoded size the client's guess misses by far: the request is
     * begun in a small heap buffer on the calling thread, outgrows it many times over, and is
     * written whole (as a frame too large for the I/O thread's batch).
     */
    @Test
    void manySmallElements_requestOutgrowsItsGuess_roundTrip() {
        String[] many = new String[30_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = "element-" + i;
        }

        assertThat(echo.strings(many)).containsExactly(many);
        assertThat(echo.string("after")).isEqualTo("after");
    }

    @Test
    void byteArray_roundTrip_sameBytes() {
        byte[] data = new byte[256 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        assertThat(echo.blob(data)).isEqualTo(data);
        assertThat(echo.blob(new byte[0])).isEmpty();
    }

    @Test
    void enumsRecordsAndBeans_roundTrip_equal() {
        assertThat(echo.color(Color.GREEN)).isEqualTo(Color.GREEN);
        Point p = new Point(1, -2, "p");
        assertThat(echo.point(p)).isEqualTo(p);
        Shape s = new Shape("tri", List.of(p, new Point(3, 4, null)), Map.of("a", Color.RED),
                Optional.of(new Point(0, 0, "c")));
        assertThat(echo.shape(s)).isEqualTo(s);
        Bean b = new Bean();
        b.setName("bean");
        b.setSize(1L << 40);
        b.setTags(List.of("x", "y"));
        Bean back = echo.bean(b);
        assertThat(back.getName()).isEqualTo("bean");
        assertThat(back.getSize()).isEqualTo(1L << 40);
        assertThat(back.getTags()).containsExactly("x", "y");
    }

    @Test
    void collections_roundTrip_equalWithDeclaredElementTypes() {
        List<Point> list = List.of(new Point(1, 2, "a"), new Point(3, 4, "b"));
        assertThat(echo.list(list)).isEqualTo(list).allSatisfy(e -> assertThat(e).isInstanceOf(Point.class));
        Set<String> set = new LinkedHashSet<>(List.of("x", "y", "z"));
        assertThat(echo.set(set)).isEqualTo(set);
        Map<String, List<Integer>> map = Map.of("a", List.of(1, 2), "b", List.of());
        assertThat(echo.map(map)).isEqualTo(map);
        assertThat(echo.enumKeys(Map.of(Color.RED, 1))).isEqualTo(Map.of(Color.RED, 1));
        assertThat(echo.list(List.of())).isEmpty();
    }

    @Test
    void optional_roundTrip_presentAndEmpty() {
        assertThat(echo.optional(Optional.of("v"))).contains("v");
        assertThat(echo.optional(Optional.empty())).isEmpty();
    }

    @Test
    void arrays_roundTrip_equal() {
        assertThat(echo.intArray(new int[] {1, 2, 3})).containsExactly(1, 2, 3);
        assertThat(echo.strings(new String[] {"a", null, "c"})).containsExactly("a", null, "c");
        Point[] points = {new Point(1, 1, "one")};
        assertThat(Arrays.asList(echo.points(points))).containsExactly(points);
    }

    @Test
    void jdkValueTypes_roundTrip_equal() {
        Instant now = Instant.parse("2026-11-22T10:15:30.123456789Z");
        assertThat(echo.instant(now)).isEqualTo(now);
        assertThat(echo.duration(Duration.ofMillis(1500))).isEqualTo(Duration.ofMillis(1500));
        assertThat(echo.date(LocalDate.of(2026, 11, 22))).isEqualTo(LocalDate.of(2026, 11, 22));
        assertThat(echo.decimal(new BigDecimal("12345678901234567890.000001")))
                .isEqualTo(new BigDecimal("12345678901234567890.000001"));
        assertThat(echo.integer(BigInteger.TWO.pow(100))).isEqualTo(BigInteger.TWO.pow(100));
        UUID id = UUID.randomUUID();
        assertThat(echo.uuid(id)).isEqualTo(id);
    }

    @Test
    void voidAndSeveralParameters_roundTrip() {
        echo.nothing(1);
        assertThat(echo.concat("a", 7, new Point(0, 0, "z"))).isEqualTo("a7z");
    }
}
