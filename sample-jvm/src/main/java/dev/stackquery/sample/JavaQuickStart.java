package dev.stackquery.sample;

import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

public final class JavaQuickStart {
    public record Account(int id, String owner) {}

    /** Stands in for an async HTTP API: 50 ms per call, and it counts its calls. */
    public static final class AccountApi {
        final AtomicInteger calls = new AtomicInteger();

        CompletableFuture<Account> account(int id) {
            calls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> new Account(id, "owner-" + id),
                    CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
        }
    }

    public static void main(String[] args) {
        AccountApi api = new AccountApi();
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().staleTime(Duration.ofSeconds(30)).build())) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryOptions<Account> opts = QueryOptions.<Account>builder(QueryKey.of("account", 7), () -> api.account(7)).build();

            Account first = futures.fetchQuery(opts).join();          // cold: one API call
            CompletableFuture<Account> second = futures.fetchQuery(opts); // fresh: already completed, no call
            System.out.println(first + ", done at once: " + second.isDone() + ", API calls: " + api.calls);

            QueryOptions<Account> other = QueryOptions.<Account>builder(QueryKey.of("account", 8), () -> api.account(8)).build();
            List<CompletableFuture<Account>> callers = new ArrayList<>();
            for (int i = 0; i < 100; i++) callers.add(futures.fetchQuery(other));
            callers.forEach(CompletableFuture::join);
            System.out.println("100 callers, API calls: " + api.calls);    // one more call, shared by all

            futures.invalidateQueries(QueryKey.of("account")).join();     // every ["account", …] key is stale
            futures.refetchQueries(QueryKey.of("account", 7)).join();     // fetch it again now
            System.out.println("after invalidation, API calls: " + api.calls);
        }
    }
}
