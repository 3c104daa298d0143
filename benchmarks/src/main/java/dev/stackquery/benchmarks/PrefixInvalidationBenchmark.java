package dev.stackquery.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryKey;
import java.util.concurrent.TimeUnit;
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
 * Benchmark 4, prefix invalidation: {@value #PER_GROUP} keys {@code ["todo", 500, i]} under the
 * prefix {@code ["todo", 500]}, among {@value #GROUPS} × {@value #PER_GROUP} = 1,000,000 cached keys
 * {@code ["todo", g, i]}. The score is the time of one operation on those 1,000 keys; before each
 * one (not timed) they are written again, so every invocation finds 1,000 valid entries.
 *
 * <ul>
 *   <li>{@code StackQuery.invalidateQueries}: {@code client.invalidateQueries(prefix)} marks them
 *       stale (no query is observed, so nothing refetches and the call never suspends).</li>
 *   <li>{@code StackQuery.removeQueries}: {@code client.removeQueries(prefix)} drops them.</li>
 *   <li>{@code Caffeine.removeIf}: {@code cache.asMap().keySet().removeIf(k -> k.startsWith(prefix))},
 *       the way to drop a prefix from a Caffeine cache (it has no notion of key structure).</li>
 * </ul>
 * Client: infinite stale and gc time, {@code cacheMaxSize} 2,000,000; Caffeine
 * {@code maximumSize(2_000_000)}.
 *
 * <p>Run: {@code benchmarks/run}, or {@code java -jar benchmarks/target/benchmarks.jar PrefixInvalidationBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@State(Scope.Benchmark)
public class PrefixInvalidationBenchmark {
    static final int GROUPS = 1000;
    static final int PER_GROUP = 1000;
    static final int MAX_SIZE = 2_000_000;
    static final int TARGET_GROUP = 500;

    @Param({"StackQuery.invalidateQueries", "StackQuery.removeQueries", "Caffeine.removeIf"})
    public String operation;

    private final QueryKey prefix = QueryKey.of("todo", TARGET_GROUP);
    private Entries entries;
    private QueryClient client;
    private DirectCaller caller;
    private Cache<QueryKey, String> cache;
    private Runnable operationOnPrefix;

    @Setup(Level.Trial)
    public void setUpTrial() {
        entries = Entries.grouped("todo", GROUPS, PER_GROUP);
        if (operation.startsWith("StackQuery.")) {
            client = Fixtures.hitClient(MAX_SIZE);
            caller = new DirectCaller(client);
            for (int i = 0; i < entries.size(); i++) client.setQueryData(entries.keys[i], entries.values[i]);
            check(client.getQueryState(entries.keys[entries.size() - 1]) != null, "the last key is cached");
        } else if (operation.equals("Caffeine.removeIf")) {
            cache = Caffeine.newBuilder().maximumSize(MAX_SIZE).build();
            for (int i = 0; i < entries.size(); i++) cache.put(entries.keys[i], entries.values[i]);
            cache.cleanUp();
            check(cache.estimatedSize() == entries.size(), "all keys are cached");
        } else {
            throw new IllegalArgumentException("unknown operation " + operation);
        }
        operationOnPrefix = switch (operation) {
            case "StackQuery.invalidateQueries" -> () -> caller.invalidateQueries(prefix);
            case "StackQuery.removeQueries" -> () -> client.removeQueries(prefix);
            default -> () -> cache.asMap().keySet().removeIf(key -> key.startsWith(prefix));
        };
    }

    /** Writes the 1,000 target entries again (not timed): valid, not invalidated, present. */
    @Setup(Level.Invocation)
    public void restoreTargets() {
        int from = TARGET_GROUP * PER_GROUP;
        for (int i = from; i < from + PER_GROUP; i++) {
            if (client != null) client.setQueryData(entries.keys[i], entries.values[i]);
            else cache.put(entries.keys[i], entries.values[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() {
        int first = TARGET_GROUP * PER_GROUP;
        switch (operation) {
            case "StackQuery.invalidateQueries" ->
                    check(client.getQueryState(entries.keys[first]).isInvalidated(), "the targets were invalidated");
            case "StackQuery.removeQueries" ->
                    check(client.getQueryState(entries.keys[first]) == null, "the targets were removed");
            default -> check(cache.getIfPresent(entries.keys[first]) == null, "the targets were removed");
        }
        int other = first + PER_GROUP; // the first key of the next group is untouched
        if (client != null) {
            check(!client.getQueryState(entries.keys[other]).isInvalidated(), "the other keys are untouched");
            client.close();
        } else {
            check(cache.getIfPresent(entries.keys[other]) != null, "the other keys are untouched");
        }
    }

    @Benchmark
    public void run() {
        operationOnPrefix.run();
    }

    private static void check(boolean condition, String what) {
        if (!condition) throw new IllegalStateException("check failed: " + what);
    }
}
