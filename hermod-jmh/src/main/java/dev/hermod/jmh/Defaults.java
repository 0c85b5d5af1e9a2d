package dev.hermod.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The settings every benchmark here shares, which JMH reads from the superclass: average time
 * per operation in nanoseconds, one fork, 5 warm-up and 5 measured iterations of one second.
 * The command line overrides each ({@code -f 3}, {@code -wi 2 -i 3}, {@code -bm thrpt},
 * {@code -tu us}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class Defaults {
}
