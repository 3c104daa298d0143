package dev.stackquery.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryOptions;
import java.util.concurrent.ConcurrentHashMap;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 1, fresh-hit read: the time of one read of a cached, fresh entry, picked round-robin
 * from {@value #KEYS} keys, by 1 and by 2 threads.
 *
 * <ul>
 *   <li>{@code StackQuery}: the suspend {@code QueryClient.fetchQuery(options)}, called on the
 *       benchmark thread through {@link DirectCaller} (it returns without suspending on a fresh hit;
 *       the call fails if it ever suspends). Client: infinite stale and gc time,
 *       {@code cacheMaxSize} {@value #MAX_SIZE}.</li>
 *   <li>{@code Caffeine}: {@code Cache.getIfPresent(key)} on {@code maximumSize(}{@value #MAX_SIZE}{@code )}.</li>
 *   <li>{@code ConcurrentHashMap}: {@code get(key)}, the floor.</li>
 *   <li>{@code StackQuery-coarseClock}: an experiment, not a contender: StackQuery with a
 *       {@link CoarseClock} (a volatile read instead of {@code System.currentTimeMillis()}), to
 *       measure how much of the fresh hit is the clock read.</li>
 * </ul>
 * All three hold the same {@link Entries} (same {@code QueryKey} instances, same values).
 *
 * <p>Run: {@code benchmarks/run}, or on its own
 * {@code java -jar benchmarks/target/benchmarks.jar FreshHitBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class FreshHitBenchmark {
    static final int KEYS = 1024; // a power of two: the index wraps with a mask
    static final int MAX_SIZE = 10_000;

    @Param({"StackQuery", "Caffeine", "ConcurrentHashMap", "StackQuery-coarseClock"})
    public String contender;

    private Reader reader;
    private QueryClient client;

    /** One contender's read of entry {@code i}. */
    interface Reader {
        Object read(int i);
    }

    @Setup
    public void setUp() {
        Entries entries = Entries.of("item", KEYS);
        reader = switch (contender) {
            case "StackQuery", "StackQuery-coarseClock" -> {
                client = contender.equals("StackQuery")
                        ? Fixtures.hitClient(MAX_SIZE)
                        : Fixtures.hitClient(MAX_SIZE, new CoarseClock());
                QueryOptions<?>[] options = new QueryOptions<?>[KEYS];
                for (int i = 0; i < KEYS; i++) {
                    client.setQueryData(entries.keys[i], entries.values[i]);
                    options[i] = Fixtures.hitOptions(entries.keys[i]);
                }
                DirectCaller caller = new DirectCaller(client);
                yield i -> caller.fetchQuery(options[i]);
            }
            case "Caffeine" -> {
                Cache<Object, Object> cache = Caffeine.newBuilder().maximumSize(MAX_SIZE).build();
                for (int i = 0; i < KEYS; i++) cache.put(entries.keys[i], entries.values[i]);
                Object[] keys = entries.keys;
                yield i -> cache.getIfPresent(keys[i]);
            }
            case "ConcurrentHashMap" -> {
                ConcurrentHashMap<Object, Object> map = new ConcurrentHashMap<>();
                for (int i = 0; i < KEYS; i++) map.put(entries.keys[i], entries.values[i]);
                Object[] keys = entries.keys;
                yield i -> map.get(keys[i]);
            }
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        };
        for (int i = 0; i < KEYS; i++) {
            Object value = reader.read(i);
            if (!entries.values[i].equals(value)) {
                throw new IllegalStateException(contender + " read " + value + " for " + entries.keys[i]);
            }
        }
    }

    @TearDown
    public void tearDown() {
        if (client != null) client.close();
    }

    @Benchmark
    @Threads(1)
    public Object read1Thread(KeyCursor cursor) {
        return reader.read(cursor.next++ & (KEYS - 1));
    }

    @Benchmark
    @Threads(2)
    public Object read2Threads(KeyCursor cursor) {
        return reader.read(cursor.next++ & (KEYS - 1));
    }
}
