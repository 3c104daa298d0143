package dev.stackquery.benchmarks;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import java.time.Duration;
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
 * Benchmark 3, cold-key stampede: {@value #CALLERS} coroutines ask for one cold key at the same
 * moment and the loader takes {@value #LOAD_MILLIS} ms ({@link SlowLoader}). Single-shot: the score
 * is the wall time from opening the gate until every caller has the value (ideal: just over
 * {@value #LOAD_MILLIS} ms); the secondary metric {@code loaderCalls} is how many times the loader
 * ran per stampede (ideal: 1). Every invocation uses a new key of the same client or cache.
 *
 * <ul>
 *   <li>{@code StackQuery}: each caller runs {@code client.fetchQuery(options)}, whose query
 *       function awaits the loader (retry 0, stale time 1 hour: the loaded value stays fresh, as
 *       Caffeine's does with no expiry).</li>
 *   <li>{@code StackQuery-staleTime0}: the same with the default stale time, 0. Callers that get
 *       through only after the load settled find stale data: they get it at once, and the first
 *       of them starts a background revalidation (deduplicated too), so the loader may run more
 *       than once. Shown to make the cost of that default visible; not Caffeine's semantics.</li>
 *   <li>{@code Caffeine}: each caller runs {@code cache.get(key).await()} on an
 *       {@code AsyncLoadingCache} whose {@code AsyncCacheLoader} is the same loader.</li>
 * </ul>
 *
 * <p>Run: {@code benchmarks/run}, or {@code java -jar benchmarks/target/benchmarks.jar StampedeBenchmark}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 20)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class StampedeBenchmark {
    static final int CALLERS = 10_000;
    static final long LOAD_MILLIS = 10;

    @Param({"StackQuery", "StackQuery-staleTime0", "Caffeine"})
    public String contender;

    private final SlowLoader loader = new SlowLoader(LOAD_MILLIS);
    private QueryClient client;
    private AsyncLoadingCache<QueryKey, String> cache;
    private Stampede stampede;
    private int round;

    @Setup(Level.Trial)
    public void setUpTrial() {
        stampede = new Stampede(CALLERS);
        switch (contender) {
            case "StackQuery", "StackQuery-staleTime0" -> client = new QueryClient(QueryClientConfig.builder().cacheMaxSize(100_000).build());
            case "Caffeine" -> cache = Caffeine.newBuilder()
                    .maximumSize(100_000)
                    .buildAsync((key, executor) -> loader.load(key));
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        }
    }

    /** A new cold key, and the callers started and waiting at the gate (not timed). */
    @Setup(Level.Invocation)
    public void prepare() {
        QueryKey key = QueryKey.of("stampede", round++);
        String expected = SlowLoader.valueOf(key);
        loader.reset();
        if (client != null) {
            QueryOptions.Builder<String> options = QueryOptions.<String>builder(key, () -> loader.load(key)).retry(0);
            if (contender.equals("StackQuery")) options.staleTime(Duration.ofHours(1));
            stampede.prepareStackQuery(client, options.build(), expected);
        } else {
            stampede.prepareCaffeine(cache, key, expected);
        }
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() {
        stampede.close();
        if (client != null) client.close();
    }

    /** How many times the loader ran, per stampede (JMH averages it over the iterations). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class LoaderCalls {
        public long loaderCalls;

        @Setup(Level.Iteration)
        public void reset() {
            loaderCalls = 0;
        }
    }

    @Benchmark
    public void stampede(LoaderCalls calls) {
        stampede.run();
        calls.loaderCalls += loader.calls();
    }
}
