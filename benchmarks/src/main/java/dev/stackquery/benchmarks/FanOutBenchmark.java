package dev.stackquery.benchmarks;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryKey;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 5, observer fan-out: {@value #COLLECTORS} coroutines collect a {@code StateFlow}; the
 * score is the time from one write until every collector has seen the new value ({@link FanOut}).
 *
 * <ul>
 *   <li>{@code StackQuery}: each collector has its own observer, {@code client.watch(options).state},
 *       of one key; the write is {@code client.setQueryData(key, n)}.</li>
 *   <li>{@code StateFlow}: all collectors collect one {@code MutableStateFlow}; the write is
 *       {@code flow.value = n}: the cost of waking 10,000 coroutines, with no cache around it.</li>
 * </ul>
 * Caffeine has no observers, so it has no place here.
 *
 * <p>Run: {@code benchmarks/run}, or {@code java -jar benchmarks/target/benchmarks.jar FanOutBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class FanOutBenchmark {
    static final int COLLECTORS = 10_000;

    @Param({"StackQuery", "StateFlow"})
    public String contender;

    private final QueryKey key = QueryKey.of("fan-out");
    private QueryClient client;
    private FanOut fanOut;
    private long value;

    @Setup
    public void setUp() {
        fanOut = new FanOut(COLLECTORS);
        switch (contender) {
            case "StackQuery" -> {
                client = Fixtures.hitClient(1000);
                fanOut.startStackQuery(client, key);
            }
            case "StateFlow" -> fanOut.startStateFlow();
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        }
    }

    @TearDown
    public void tearDown() {
        fanOut.close();
        if (client != null) client.close();
    }

    @Benchmark
    public void publish() {
        fanOut.publish(++value);
    }
}
