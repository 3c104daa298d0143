package dev.stackquery.benchmarks;

import dev.stackquery.InfiniteQueryObserver;
import dev.stackquery.InfiniteQueryOptions;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * Infinite queries: what appending one page to a query of {@value #PAGES} pages costs, with
 * {@code -prof gc} for the bytes allocated per append. StackQuery's {@code fetchNextPage} (a page
 * function that answers at once, {@code maxPages = PAGES} so the query keeps its size) is measured
 * next to its floor, the same append done by hand on plain lists: one copy of the page list and one
 * of the param list, which is all an immutable {@code InfiniteData} must copy. The difference is the
 * fetch itself (the run, its future, the state changes), constant in the number of pages.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar InfinitePageAppendBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class InfinitePageAppendBenchmark {
    static final int PAGES = 1_000;

    @Param({"StackQuery", "lists"})
    public String contender;

    private QueryClient client;
    private FutureQueryClient futures;
    private InfiniteQueryObserver<Integer, Integer> observer;
    private List<Integer> pages;
    private List<Integer> params;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofDays(1)).build());
        futures = FutureQueryClient.of(client);
        InfiniteQueryOptions<Integer, Integer> options = InfiniteQueryOptions.<Integer, Integer>builder(
                QueryKey.of("feed"), page -> CompletableFuture.completedFuture(page), 0,
                (last, all, param, allParams) -> param + 1)
                .maxPages(PAGES)
                .build();
        futures.fetchInfiniteQuery(options, PAGES).join();
        observer = client.watchInfinite(options);
        pages = new ArrayList<>();
        params = new ArrayList<>();
        for (int i = 0; i < PAGES; i++) {
            pages.add(i);
            params.add(i);
        }
        next = PAGES;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
    }

    @Benchmark
    public Object append() {
        if (contender.equals("StackQuery")) {
            return futures.fetchNextPage(observer).join();
        }
        // The floor: drop the first page, add one at the end, into fresh lists (what an immutable value needs).
        Integer page = next++;
        List<Integer> newPages = new ArrayList<>(PAGES);
        List<Integer> newParams = new ArrayList<>(PAGES);
        for (int i = 1; i < PAGES; i++) {
            newPages.add(pages.get(i));
            newParams.add(params.get(i));
        }
        newPages.add(page);
        newParams.add(page);
        pages = newPages;
        params = newParams;
        return newPages;
    }
}
