package dev.stackquery.benchmarks;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import java.util.concurrent.CompletableFuture;
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
 * Benchmark 2, fresh hit through the Java facades: {@code CompletableFuture} in, value out, as a
 * Java caller writes it, over {@value FreshHitBenchmark#KEYS} cached keys, by 1 and by 2 threads.
 *
 * <ul>
 *   <li>{@code StackQuery}: {@code FutureQueryClient.of(client).fetchQuery(options).join()} (the
 *       facade is made once, as an application would keep it).</li>
 *   <li>{@code Caffeine}: {@code AsyncLoadingCache.get(key).join()} on
 *       {@code maximumSize(}{@value FreshHitBenchmark#MAX_SIZE}{@code )}.</li>
 * </ul>
 *
 * <p>Run: {@code benchmarks/run}, or {@code java -jar benchmarks/target/benchmarks.jar FacadeFreshHitBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class FacadeFreshHitBenchmark {
    private static final int KEYS = FreshHitBenchmark.KEYS;

    @Param({"StackQuery", "Caffeine"})
    public String contender;

    private Reader reader;
    private QueryClient client;

    /** One contender's future of entry {@code i}. */
    interface Reader {
        CompletableFuture<?> read(int i);
    }

    @Setup
    public void setUp() {
        Entries entries = Entries.of("item", KEYS);
        reader = switch (contender) {
            case "StackQuery" -> {
                client = Fixtures.hitClient(FreshHitBenchmark.MAX_SIZE);
                QueryOptions<?>[] options = new QueryOptions<?>[KEYS];
                for (int i = 0; i < KEYS; i++) {
                    client.setQueryData(entries.keys[i], entries.values[i]);
                    options[i] = Fixtures.hitOptions(entries.keys[i]);
                }
                FutureQueryClient futures = FutureQueryClient.of(client);
                yield i -> futures.fetchQuery(options[i]);
            }
            case "Caffeine" -> {
                AsyncLoadingCache<Object, Object> cache = Caffeine.newBuilder()
                        .maximumSize(FreshHitBenchmark.MAX_SIZE)
                        .buildAsync(key -> {
                            throw new IllegalStateException("the loader of " + key + " ran: the benchmark expected a cache hit");
                        });
                for (int i = 0; i < KEYS; i++) cache.put(entries.keys[i], CompletableFuture.completedFuture(entries.values[i]));
                Object[] keys = entries.keys;
                yield i -> cache.get(keys[i]);
            }
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        };
        for (int i = 0; i < KEYS; i++) {
            Object value = reader.read(i).join();
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
    public Object join1Thread(KeyCursor cursor) {
        return reader.read(cursor.next++ & (KEYS - 1)).join();
    }

    @Benchmark
    @Threads(2)
    public Object join2Threads(KeyCursor cursor) {
        return reader.read(cursor.next++ & (KEYS - 1)).join();
    }
}
