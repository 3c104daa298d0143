package dev.stackquery.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reference for benchmark 1: the cost of one {@code System.currentTimeMillis()} on this machine,
 * which StackQuery's fresh hit pays (through {@code QueryClock.SYSTEM}) to check staleness and
 * record the access, and which a Caffeine cache without expiry never pays. Its cost varies a lot
 * between machines (a few ns with a vDSO TSC clock, far more in some VMs).
 *
 * <p>Run: {@code benchmarks/run}, or {@code java -jar benchmarks/target/benchmarks.jar ClockReadBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ClockReadBenchmark {
    @Benchmark
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }
}
