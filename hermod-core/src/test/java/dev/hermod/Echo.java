package dev.hermod;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** A contract with one operation per type the default codec carries; the test servant echoes. */
@Remote
public interface Echo {

        int ints(int v);
        long longs(long v);
        double doubles(double v);
        float floats(float v);
        boolean bools(boolean v);
        char chars(char v);
        byte bytes(byte v);
        short shorts(short v);
        Integer boxed(Integer v);
        String string(String v);
        byte[] blob(byte[] v);
        Color color(Color v);
        Point point(Point v);
        Shape shape(Shape v);
        Bean bean(Bean v);
        List<Point> list(List<Point> v);
        Set<String> set(Set<String> v);
        Map<String, List<Integer>> map(Map<String, List<Integer>> v);
        Map<Color, Integer> enumKeys(Map<Color, Integer> v);
        Optional<String> optional(Optional<String> v);
        int[] intArray(int[] v);
        String[] strings(String[] v);
        Point[] points(Point[] v);
        Instant instant(Instant v);
        Duration duration(Duration v);
        LocalDate date(LocalDate v);
        BigDecimal decimal(BigDecimal v);
        BigInteger integer(BigInteger v);
        UUID uuid(UUID v);
        void nothing(int ignored);
        String concat(String a, int b, Point c);

    enum Color { RED, GREEN }

    record Point(int x, int y, String label) {}

    record Shape(String name, List<Point> corners, Map<String, Color> tags, Optional<Point> center) {}

    final class Bean {
        private String name;
        private long size;
        private List<String> tags = new ArrayList<>();

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public long getSize() {
            return size;
        }

        public void setSize(long size) {
            this.size = size;
        }

        public List<String> getTags() {
            return tags;
        }

        public void setTags(List<String> tags) {
            this.tags = tags;
        }
    }
}
