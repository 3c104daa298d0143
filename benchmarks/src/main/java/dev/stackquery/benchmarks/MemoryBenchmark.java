package dev.stackquery.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackquery.QueryClient;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Benchmark 6, memory: the heap a cache retains per entry when it holds {@value #ENTRIES} small
 * entries, in the secondary metric {@code bytesPerEntry}. Single-shot; the primary score is the time
 * to insert the entries (one thread, no warm-up: a first fill, as at startup).
 *
 * <p>Method (heap-after-GC difference): the keys and values are made first, and the heap in use is
 * read after full collections ({@link Heap#usedAfterGc()}); then the contender is filled with them
 * and the heap is read the same way. The difference divided by {@value #ENTRIES} is what the cache
 * itself retains per entry, excluding the keys and values (the same objects for every contender).
 * The fixed heap ({@code -Xms4g -Xmx4g}) and the 1,000,000 entries make the error of one reading
 * (a few KiB of JMH and JIT activity) well under a byte per entry.
 *
 * <ul>
 *   <li>{@code StackQuery}: {@code client.setQueryData(key, value)}; infinite stale and gc time,
 *       {@code cacheMaxSize} 2,000,000.</li>
 *   <li>{@code Caffeine}: {@code cache.put(key, value)} on {@code maximumSize(2_000_000)}.</li>
 *   <li>{@code ConcurrentHashMap}: {@code put(key, value)}, the floor.</li>
 * </ul>
 *
 * <p>Run: {@code benchmarks/run}, or {@code java -jar benchmarks/target/benchmarks.jar MemoryBenchmark}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 5, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class MemoryBenchmark {
    static final int ENTRIES = 1_000_000;
    static final int MAX_SIZE = 2_000_000;

    @Param({"StackQuery", "Caffeine", "ConcurrentHashMap"})
    public String contender;

    /**
     * The entries, the heap in use before the fill, and the filled cache; its iteration tear-down
     * (which JMH runs before it reads the counter) measures {@code bytesPerEntry}, so the timed
     * part is the fill alone.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Footprint {
        /** Bytes retained per entry (JMH averages it over iterations and forks). */
        public double bytesPerEntry;

        private Entries entries;
        private long baseline;
        private Object filled;

        /** Fresh keys and values, and the heap they leave in use (not timed). */
        @Setup(Level.Iteration)
        public void setUp() {
            bytesPerEntry = 0;
            filled = null;
            entries = Entries.of("entry", ENTRIES);
            baseline = Heap.usedAfterGc();
        }

        @TearDown(Level.Iteration)
        public void measure() {
            if (filled == null) throw new IllegalStateException("nothing was filled");
            bytesPerEntry = (double) (Heap.usedAfterGc() - baseline) / ENTRIES;
            if (filled instanceof QueryClient client) client.close();
            filled = null;
            entries = null;
        }
    }

    @Benchmark
    public void fill(Footprint footprint) {
        Entries entries = footprint.entries;
        footprint.filled = switch (contender) {
            case "StackQuery" -> {
                QueryClient client = Fixtures.hitClient(MAX_SIZE);
                for (int i = 0; i < ENTRIES; i++) client.setQueryData(entries.keys[i], entries.values[i]);
                yield client;
            }
            case "Caffeine" -> {
                Cache<Object, Object> cache = Caffeine.newBuilder().maximumSize(MAX_SIZE).build();
                for (int i = 0; i < ENTRIES; i++) cache.put(entries.keys[i], entries.values[i]);
                cache.cleanUp();
                yield cache;
            }
            case "ConcurrentHashMap" -> {
                ConcurrentHashMap<Object, Object> map = new ConcurrentHashMap<>();
                for (int i = 0; i < ENTRIES; i++) map.put(entries.keys[i], entries.values[i]);
                yield map;
            }
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        };
    }
}
