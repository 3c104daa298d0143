package dev.stackquery.benchmarks;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Equal-refetch fan-out: {@value #OBSERVERS} coroutines on {@code Dispatchers.Default} collect the
 * state of one key (as in {@link FanOutBenchmark}); the score is the time of one refetch whose data
 * is equal to the cached data but a new instance (a list of {@value EqualRefetchFanOut#ITEMS}
 * data-class items built anew by every call of the query function), until it settled
 * ({@link EqualRefetchFanOut}).
 *
 * <ul>
 *   <li>{@code StackQuery}: each collector has its own observer, {@code client.watch(options).state},
 *       with {@code notifyOnChange = setOf(QueryStateField.DATA)}; the refetch is
 *       {@code runBlocking { client.refetchQueries(key) }}. Structural sharing keeps the cached list,
 *       so each of the observers is told of the {@code FETCHING} state and of the settled one, and
 *       publishes neither: no collector is woken.</li>
 *   <li>{@code StackQuery-allFields}: the same observers tracking every field (the default): each
 *       refetch publishes {@code FETCHING} and then the settled state (a new {@code dataUpdatedAt}),
 *       and the operation also waits until every collector has seen the settled state. Context: what
 *       {@code notifyOnChange} saves.</li>
 *   <li>{@code StackQuery-noObservers}: the same refetch of a key nobody observes, the part of the
 *       figures that is the refetch itself (a coroutine on the client's dispatcher, the query
 *       function, structural sharing, two state changes), before any fan-out. Experiment, not a
 *       contender.</li>
 *   <li>{@code StateFlow}: all collectors collect one {@code MutableStateFlow}, set to a new equal
 *       list; {@code StateFlow} compares it with {@code equals} and wakes nobody: the ideal cost of
 *       a non-change, with no cache around it.</li>
 * </ul>
 * After each iteration (not timed) the harness checks that the DATA-only and StateFlow collectors
 * received nothing, that every DATA-only observer still shows the state it showed after the start,
 * that the cache still holds the first list instance, that the query function ran once per refetch,
 * and that each all-fields collector saw a state per refetch; any failure stops the benchmark.
 * Caffeine has no observers, so it has no place here. One benchmark thread only: two threads
 * refetching one key would join each other's fetches, so an operation would not be one refetch.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EqualRefetchFanOutBenchmark}
 * (after {@code mvn -B -q -pl benchmarks -am package -DskipTests}), or
 * {@code benchmarks/run --only EqualRefetchFanOutBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
@State(Scope.Benchmark)
public class EqualRefetchFanOutBenchmark {
    static final int OBSERVERS = 10_000;

    @Param({"StackQuery", "StackQuery-allFields", "StackQuery-noObservers", "StateFlow"})
    public String contender;

    private final QueryKey key = QueryKey.of("equal-refetch");
    private QueryClient client;
    private EqualRefetchFanOut fanOut;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        if (params.getThreads() != 1) {
            throw new IllegalStateException("EqualRefetchFanOutBenchmark needs exactly 1 thread, not "
                    + params.getThreads() + ": concurrent refetches of one key join each other's fetch");
        }
        setUp();
    }

    /** The trial's setup without JMH's parameters (for tests). */
    void setUp() {
        fanOut = new EqualRefetchFanOut(OBSERVERS);
        switch (contender) {
            case "StackQuery" -> {
                client = Fixtures.hitClient(1000);
                fanOut.startStackQuery(client, key, true);
            }
            case "StackQuery-allFields" -> {
                client = Fixtures.hitClient(1000);
                fanOut.startStackQuery(client, key, false);
            }
            case "StackQuery-noObservers" -> {
                client = Fixtures.hitClient(1000);
                fanOut.startStackQueryWithoutObservers(client, key);
            }
            case "StateFlow" -> fanOut.startStateFlow();
            default -> throw new IllegalArgumentException("unknown contender " + contender);
        }
    }

    /** Fails the run if an iteration measured something else than it claims (see the class). */
    @TearDown(Level.Iteration)
    public void verify() {
        fanOut.verify();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            fanOut.verify();
        } finally {
            fanOut.close();
            if (client != null) client.close();
        }
    }

    @Benchmark
    public void refetch() {
        fanOut.refetch();
    }

    EqualRefetchFanOut fanOut() {
        return fanOut;
    }
}
