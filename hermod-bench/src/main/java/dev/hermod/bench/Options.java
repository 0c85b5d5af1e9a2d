package dev.hermod.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one benchmark run, parsed from the command line. Every size and count is
 * bounded, so a run always ends by itself. Immutable.
 *
 * @param scenarios the scenarios to run, in order, without duplicates
 * @param quick whether the short defaults of {@code --quick} apply
 * @param bytes bulk: bytes sent per measured run and per side
 * @param warmupBytes bulk: bytes per warm-up round (0: no warm-up)
 * @param chunk bulk: bytes per {@code send} call
 * @param window bulk: most chunks outstanding at once
 * @param runs bulk: measured runs per side (the median is reported); latency: alternating segments
 * @param calls latency: measured calls per side
 * @param warmupCalls latency: calls per warm-up round (0: no warm-up)
 * @param payload latency and throughput: bytes in each request and each reply
 * @param asyncWindow throughput: most calls outstanding at once
 * @param duration throughput: measuring time per side
 * @param warmup throughput: time per warm-up round (0: no warm-up)
 * @param warmupMax every scenario: longest warm-up per side; rounds repeat until the JIT settles
 */
record Options(List<String> scenarios, boolean quick, long bytes, long warmupBytes, int chunk, int window,
        int runs, int calls, int warmupCalls, int payload, int asyncWindow, Duration duration, Duration warmup,
        Duration warmupMax) {

    /** Scenario names accepted on the command line besides {@code all}. */
    static final List<String> SCENARIOS = List.copyOf(BenchMain.SCENARIOS.keySet());

    private static final String SCENARIO_LIST = "all, " + String.join(", ", SCENARIOS.subList(0, SCENARIOS.size() - 1))
            + " or " + SCENARIOS.get(SCENARIOS.size() - 1);

    /** Largest bulk chunk: stays below Hermod's default 16 MiB frame limit with room for the header. */
    static final int MAX_CHUNK = 8 * 1024 * 1024;
    static final long MAX_BYTES = 64L * 1024 * 1024 * 1024;
    static final int MAX_CALLS = 10_000_000;
    static final int MAX_PAYLOAD = 1024 * 1024;
    static final double MAX_SECONDS = 600;

    /**
     * The help text of {@code command} ({@code java -jar hermod-bench.jar}, {@code hermod bench}):
     * the scenarios and every option, {@code moreOptions} (lines in the same layout) before
     * {@code --help}.
     */
    static String usage(String command, List<String> moreOptions) {
        List<String> lines = new ArrayList<>(List.of(
            "usage: " + command + " SCENARIO... [OPTIONS]",
            "",
            "scenarios: all | bulk | latency | throughput | oneway",
            "",
            "options (sizes take k, m or g binary suffixes: 64k, 1g):",
            "  --quick               tiny sizes and short times, to check that everything works",
            "  --bytes SIZE          bulk: bytes per measured run (default 1g; quick 4m)",
            "  --warmup-bytes SIZE   bulk: bytes per warm-up round (default 128m; quick 1m; 0: none)",
            "  --chunk SIZE          bulk: bytes per send call (default 64k)",
            "  --window N            bulk: most chunks outstanding (default 5)",
            "  --runs N              bulk: measured runs per side, median reported (default 3);",
            "                        latency: alternating measuring segments per side",
            "  --calls N             latency: measured calls per side (default 20000; quick 500)",
            "  --warmup-calls N      latency: calls per warm-up round (default 10000; quick 200; 0: none)",
            "  --payload SIZE        latency, throughput, oneway: request and reply bytes (default 32)",
            "  --async-window N      throughput: most calls outstanding (default 128)",
            "  --seconds S           throughput, oneway: measuring time per side (default 5; quick 0.3)",
            "  --warmup-seconds S    throughput, oneway: time per warm-up round (default 1; quick 0.1; 0: none)",
            "  --warmup-max S        all: longest warm-up per side (default 30; quick 0). Warm-up rounds",
            "                        repeat until one passes with under 5% of its time spent in the JIT",
            "                        compilers, or this time is up; 0: one round",
            "  -v, --verbose         when a scenario fails, print the stack trace"));
        lines.addAll(moreOptions);
        lines.add("  --help                this text");
        return String.join("\n", lines);
    }

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException with a message for the user if anything is wrong
     */
    static Options parse(String... args) {
        List<String> scenarios = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.startsWith("--")) {
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                if (!KNOWN.contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name);
                }
                values.put(name, value);
            } else if (a.equals("all")) {
                for (String s : SCENARIOS) {
                    if (!scenarios.contains(s)) {
                        scenarios.add(s);
                    }
                }
            } else if (SCENARIOS.contains(a)) {
                if (!scenarios.contains(a)) {
                    scenarios.add(a);
                }
            } else {
                throw new IllegalArgumentException("unknown scenario '" + a + "': expected " + SCENARIO_LIST);
            }
        }
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("name at least one scenario: " + SCENARIO_LIST);
        }
        long bytes = size(values, "bytes", quick ? 4L << 20 : 1L << 30, 1, MAX_BYTES);
        long warmupBytes = size(values, "warmup-bytes", quick ? 1L << 20 : 128L << 20, 0, MAX_BYTES);
        int chunk = (int) size(values, "chunk", 64 << 10, 1, MAX_CHUNK);
        int window = (int) count(values, "window", 5, 1, 1024);
        int runs = (int) count(values, "runs", 3, 1, 100);
        int calls = (int) count(values, "calls", quick ? 500 : 20_000, 1, MAX_CALLS);
        int warmupCalls = (int) count(values, "warmup-calls", quick ? 200 : 10_000, 0, MAX_CALLS);
        int payload = (int) size(values, "payload", 32, 8, MAX_PAYLOAD);
        int asyncWindow = (int) count(values, "async-window", 128, 1, 65_536);
        Duration duration = seconds(values, "seconds", quick ? 0.3 : 5, 0.01);
        Duration warmup = seconds(values, "warmup-seconds", quick ? 0.1 : 1, 0);
        Duration warmupMax = seconds(values, "warmup-max", quick ? 0 : 30, 0);
        return new Options(List.copyOf(scenarios), quick, bytes, warmupBytes, chunk, window, runs, calls,
                warmupCalls, payload, asyncWindow, duration, warmup, warmupMax);
    }

    private static final List<String> KNOWN = List.of("bytes", "warmup-bytes", "chunk", "window", "runs", "calls",
            "warmup-calls", "payload", "async-window", "seconds", "warmup-seconds", "warmup-max");

    /** Parses {@code 123}, {@code 64k}, {@code 128m}, {@code 1g} (also {@code 64KiB}, {@code 1GB}): binary units. */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + text + "'");
        }
        if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size out of range: '" + text + "'");
        }
        return n << shift;
    }

    private static long size(Map<String, String> values, String name, long dflt, long min, long max) {
        String v = values.get(name);
        long n = v == null ? dflt : parseSize(v);
        return checkRange(name, n, min, max);
    }

    private static long count(Map<String, String> values, String name, long dflt, long min, long max) {
        String v = values.get(name);
        long n;
        try {
            n = v == null ? dflt : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a whole number, got '" + v + "'");
        }
        return checkRange(name, n, min, max);
    }

    private static Duration seconds(Map<String, String> values, String name, double dflt, double min) {
        String v = values.get(name);
        double s;
        try {
            s = v == null ? dflt : Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " needs a number of seconds, got '" + v + "'");
        }
        if (!(s >= min && s <= MAX_SECONDS)) {
            throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + MAX_SECONDS
                    + " seconds, got " + v);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static long checkRange(String name, long n, long min, long max) {
        if (n < min || n > max) {
            throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    /** The settings as one line, for the header of a run. */
    String describe() {
        return String.format(Locale.ROOT,
                "bytes=%d warmup-bytes=%d chunk=%d window=%d runs=%d calls=%d warmup-calls=%d payload=%d"
                        + " async-window=%d seconds=%.2f warmup-seconds=%.2f warmup-max=%.0f%s",
                bytes, warmupBytes, chunk, window, runs, calls, warmupCalls, payload, asyncWindow,
                duration.toNanos() / 1e9, warmup.toNanos() / 1e9, warmupMax.toNanos() / 1e9, quick ? " (quick)" : "");
    }
}
