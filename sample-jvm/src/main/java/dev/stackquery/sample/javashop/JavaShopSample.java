package dev.stackquery.sample.javashop;

import dev.stackquery.ManualOnlineManager;
import dev.stackquery.Mutation;
import dev.stackquery.MutationOptions;
import dev.stackquery.OnlineManager;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.QueryOptions;
import dev.stackquery.QueryState;
import dev.stackquery.Subscription;
import dev.stackquery.future.FutureQueryClient;
import dev.stackquery.sample.DemoServer;
import dev.stackquery.sample.SampleFolder;
import dev.stackquery.sample.Timing;
import dev.stackquery.sample.javashop.JavaShopApi.ApiException;
import dev.stackquery.sample.javashop.JavaShopApi.Country;
import dev.stackquery.sample.javashop.JavaShopApi.Order;
import dev.stackquery.sample.javashop.JavaShopApi.Product;
import dev.stackquery.sample.javashop.JavaShopApi.Stock;
import dev.stackquery.sample.javashop.JavaShopApi.User;
import dev.stackquery.storage.QueryCodec;
import dev.stackquery.storage.StorageStats;
import dev.stackquery.storage.exposed.ExposedStorage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The StackQuery tour in Java, section for section the Kotlin one: a shop API over real HTTP in this
 * process ({@link DemoServer}), called through {@link JavaShopApi} (the JDK's async HttpClient),
 * cached by a {@link QueryClient} through {@link FutureQueryClient}, with an SQLite L2 tier.
 */
public final class JavaShopSample {
    private final QueryClient client;
    private final FutureQueryClient futures;
    private final JavaShopApi api;
    private final DemoServer server;
    private final int run;
    private final PrintStream out;

    private JavaShopSample(QueryClient client, JavaShopApi api, DemoServer server, int run, PrintStream out) {
        this.client = client;
        this.futures = FutureQueryClient.of(client);
        this.api = api;
        this.server = server;
        this.run = run;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        run(args, new PrintStream(System.out, true, StandardCharsets.UTF_8));
    }

    /** Runs the tour, printing to {@code out}; {@code --data-dir PATH} and {@code --reset} as in the Kotlin tour. */
    public static void run(String[] args, PrintStream out) throws Exception {
        SampleFolder folder = SampleFolder.fromArgs(args, "stackquery-sample-data-java");
        long started = System.nanoTime();
        Path cacheFile = folder.file("cache.db");
        try (DemoServer server = DemoServer.start();
             ExposedStorage storage = ExposedStorage.sqlite(cacheFile)) {            // the L2 tier: one SQLite file
            long opened = Timing.warmUp(storage);
            out.println("StackQuery tour (Java): a shop API at " + server.getBaseUri() + " (50-150 ms a call), "
                    + "over java.net.http.HttpClient");
            out.println("L2 cache: " + cacheFile + " (SQLite, opened in " + Timing.format(opened) + "), run " + folder.getRun()
                    + " with this folder" + (folder.wasReset() ? " (after --reset)" : ""));
            out.println("Sections 1-6 cache in memory only (their queries have no codec), so every run shows the same; "
                    + "section 7 persists.");
            ManualOnlineManager network = OnlineManager.manual(); // section 8 switches it off and on, as a connectivity callback would
            QueryClientConfig config = QueryClientConfig.builder()
                    .staleTime(Duration.ofMinutes(1))     // data stays fresh for a minute unless a query says otherwise
                    .storage(storage)                     // queries with a codec are persisted there
                    .persistMaxAge(Duration.ofDays(1))    // and kept for a day
                    .buster("shop-sample-1")              // bump it when the persisted types change
                    .onlineManager(network)               // whether the network is there (default: always)
                    .build();
            try (QueryClient client = new QueryClient(config)) {
                JavaShopApi api = new JavaShopApi(server.getBaseUri());
                api.ping().join();                        // warms the HTTP client up: time the calls, not class loading
                JavaShopSample tour = new JavaShopSample(client, api, server, folder.getRun(), out);
                tour.coldFetchAndFreshHit();
                tour.concurrentCallers();
                tour.staleWhileRevalidate();
                tour.polling();
                tour.prefixInvalidation();
                tour.optimisticMutation();
                tour.persistence();
                JavaOfflineSection.run(client, api, server, network, out);
                JavaCatalogSection.run(client, api, server, out);
                tour.futures.flush().join();              // wait for the queued SQLite writes before exiting
            }
            out.println();
            out.println("Done in " + Timing.since(started) + ": " + server.totalCalls() + " HTTP calls in all; "
                    + "SQLite writes flushed.");
        }
    }

    private QueryOptions<User> userOptions(int id) {
        return QueryOptions.<User>builder(QueryKey.of("user", id), () -> api.user(id)).build();
    }

    private QueryOptions<Product> productOptions(int id) {
        return QueryOptions.<Product>builder(QueryKey.of("product", id), () -> api.product(id)).build();
    }

    private void section(String title) {
        out.println();
        out.println(title);
    }

    private void coldFetchAndFreshHit() {
        section("1. Cold fetch, then fresh hits");
        QueryOptions<User> ada = userOptions(42);
        long start = System.nanoTime();
        User user = futures.fetchQuery(ada).join();               // not cached: one HTTP call
        long cold = System.nanoTime() - start;
        out.println("   cold fetch of " + ada.getQueryKey() + ": " + user + " in " + Timing.format(cold)
                + "; HTTP calls to GET /users/42: " + server.calls("GET /users/42"));
        int hits = 100_000;
        start = System.nanoTime();
        for (int i = 0; i < hits; i++) futures.fetchQuery(ada).join();   // fresh: already completed futures
        long all = System.nanoTime() - start;
        out.println("   fresh hits: 100,000 in " + Timing.format(all) + ", " + Timing.format(all / hits) + " each on average; "
                + "HTTP calls to GET /users/42: " + server.calls("GET /users/42"));
    }

    private void concurrentCallers() {
        section("2. 100 concurrent callers of one cold key");
        QueryOptions<User> turing = userOptions(7);
        ExecutorService callerThreads = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        List<CompletableFuture<User>> callers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            callers.add(CompletableFuture.supplyAsync(() -> futures.fetchQuery(turing), callerThreads).thenCompose(f -> f));
        }
        List<User> users = callers.stream().map(CompletableFuture::join).collect(Collectors.toList());
        String elapsed = Timing.since(start);
        callerThreads.shutdown();
        out.println("   100 callers of " + turing.getQueryKey() + " got " + new HashSet<>(users).size() + " distinct result, "
                + users.get(0) + ", in " + elapsed + "; HTTP calls to GET /users/7: " + server.calls("GET /users/7"));
    }

    private void staleWhileRevalidate() {
        section("3. Stale-while-revalidate (staleTime = 0: every read revalidates)");
        QueryOptions<Stock> keyboard = QueryOptions.<Stock>builder(QueryKey.of("stock", "KB-1"), () -> api.stock("KB-1"))
                .staleTime(Duration.ZERO)
                .build();
        Stock first = futures.fetchQuery(keyboard).join();
        out.println("   first read:  " + first.available() + " in stock (cold: waited for the HTTP call)");
        long start = System.nanoTime();
        Stock second = futures.fetchQuery(keyboard).join();        // stale: at once, refetch behind
        long time = System.nanoTime() - start;
        QueryState<Stock> state = client.getQueryState(keyboard.getQueryKey());
        out.println("   second read: " + second.available() + " in stock, the stale value, in " + Timing.format(time)
                + "; background refetch running: " + state.isFetching());
        futures.refetchQueries(keyboard.getQueryKey()).join();     // joins that refetch
        Stock fresh = client.getQueryData(keyboard.getQueryKey());
        out.println("   after the background refetch: " + fresh.available() + " in stock; HTTP calls to GET /stock/KB-1: "
                + server.calls("GET /stock/KB-1"));
    }

    private void polling() throws Exception {
        QueryOptions<Order> order = QueryOptions.<Order>builder(QueryKey.of("order", 1001), () -> api.order(1001))
                .refetchInterval(Duration.ofMillis(250))
                .build();
        section("4. Polling: an observer of " + order.getQueryKey() + " with refetchInterval = 250ms, "
                + "its states as they happen");
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        long start = System.nanoTime();
        try (Subscription subscription = client.watch(order).subscribe(state -> {
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            Order data = state.getData();
            out.printf(Locale.ROOT, "   %+7d ms  %-8s %-9s %s%n", elapsed, state.getStatus(), state.getFetchStatus(),
                    data == null ? "(no data)" : data.status());
            if (data != null && data.status().equals("DELIVERED") && !state.isFetching()) delivered.complete(null);
        })) {
            delivered.get(10, TimeUnit.SECONDS);
        }                                                          // the last subscriber leaves: polling stops
        int calls = server.calls("GET /orders/1001");
        Thread.sleep(600);
        out.println("   DELIVERED after " + calls + " HTTP calls; unsubscribed, then "
                + (server.calls("GET /orders/1001") - calls) + " calls in the next 600 ms");
    }

    private void prefixInvalidation() {
        section("5. Prefix invalidation: only the observed queries refetch");
        List<QueryOptions<Product>> products = IntStream.rangeClosed(1, 5).mapToObj(this::productOptions)
                .collect(Collectors.toList());
        futures.parallelQueries(products).join();
        List<Subscription> screens = List.of(                      // two screens show products 1 and 2
                client.watch(products.get(0)).subscribe(state -> { }),
                client.watch(products.get(1)).subscribe(state -> { }));
        out.println("   5 products cached (" + server.callsStartingWith("GET /products/") + " HTTP calls); observed: "
                + products.get(0).getQueryKey() + ", " + products.get(1).getQueryKey());
        int before = server.callsStartingWith("GET /products/");
        long start = System.nanoTime();
        futures.invalidateQueries(QueryKey.of("product")).join();  // completes once the active ones are refetched
        String time = Timing.since(start);
        int refetched = server.callsStartingWith("GET /products/") - before;
        List<QueryKey> stale = products.stream().map(QueryOptions::getQueryKey)
                .filter(key -> client.getQueryState(key).isInvalidated())
                .collect(Collectors.toList());
        out.println("   invalidateQueries([\"product\"]) in " + time + ": " + refetched + " HTTP calls "
                + "(the observed ones refetched); " + stale.size() + " inactive marked stale, refetched when next read: "
                + stale.stream().map(QueryKey::toString).collect(Collectors.joining(", ")));
        screens.forEach(Subscription::close);
    }

    private void optimisticMutation() {
        section("6. Mutation: an optimistic update the server rejects, rolled back");
        QueryKey userKey = QueryKey.of("user", 42);
        List<String> shown = new CopyOnWriteArrayList<>();        // what a screen showing user 42 displayed, in order
        Subscription screen = client.watch(userOptions(42)).subscribe(state -> {
            User user = state.getData();
            if (user != null && (shown.isEmpty() || !shown.get(shown.size() - 1).equals(user.name()))) shown.add(user.name());
        });
        Mutation<User, String> rename = client.mutation(
                MutationOptions.<User, String, User>builder((String name) -> api.renameUser(42, name))
                        .onMutateAsync(name -> futures.cancelQueries(userKey).thenApply(cancelled -> {  // no refetch overwrites it
                            User previous = client.getQueryData(userKey);           // the context: what to roll back to
                            client.setQueryData(userKey, new User(42, name));       // optimistic: shown at once
                            return previous;
                        }))
                        .onError((error, name, previous) -> client.setQueryData(userKey, previous))  // roll back
                        .build());
        Throwable error = futures.mutate(rename, "Grace Hopper").handle((user, failure) -> failure).join();
        futures.invalidateQueries(userKey).join();                  // then the server's truth (refetched, awaited)
        screen.close();
        out.println("   rename " + userKey + " to Grace Hopper: PUT /users/42 answered "
                + (error instanceof ApiException ? ((ApiException) error).status() + " (" + error.getMessage() + ")" : error));
        List<String> annotated = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            String name = shown.get(i);
            annotated.add(name.equals("Grace Hopper") ? name + " (optimistic)" : i > 0 ? name + " (rolled back)" : name);
        }
        out.println("   the screen showed: " + String.join(" -> ", annotated));
        User now = client.getQueryData(userKey);
        out.println("   mutation status: " + rename.getState().getValue().getStatus() + "; cache now: " + now.name()
                + "; HTTP calls: PUT " + server.calls("PUT /users/42") + ", GET /users/42 " + server.calls("GET /users/42")
                + " (the refetch after settling)");
    }

    private void persistence() {
        section("7. Persistence: the countries are cached in SQLite for the next run");
        QueryCodec<Country> codec = QueryCodec.of(Country::toJson, Country::fromJson);  // how L2 stores a Country
        List<QueryOptions<Country>> countries = Stream.of("FR", "DE", "JP", "BR", "CA")
                .map(code -> QueryOptions.<Country>builder(QueryKey.of("country", code), () -> api.country(code))
                        .staleTime(Duration.ofHours(1))
                        .codec(codec)
                        .build())
                .collect(Collectors.toList());
        StorageStats before = client.storageStats();
        long start = System.nanoTime();
        List<Country> loaded = futures.parallelQueries(countries).join();
        long time = System.nanoTime() - start;
        StorageStats after = client.storageStats();
        long fresh = after.getHits() - before.getHits();
        long stale = after.getStaleHits() - before.getStaleHits();
        long missing = after.getMisses() - before.getMisses();
        int calls = server.callsStartingWith("GET /countries/");
        out.println("   " + loaded.stream().map(c -> c.code() + " " + c.name()).collect(Collectors.joining(", ")));
        if (missing == countries.size()) {
            out.println("   run " + run + ": the SQLite cache was empty (" + missing + " misses), so " + calls
                    + " HTTP calls fetched them in " + Timing.format(time) + "; they are saved for the next run");
            out.println("   -> run the same command again: the next run loads them from SQLite, without HTTP calls");
        } else if (fresh == countries.size() && calls == 0) {
            long savedAt = client.getQueryState(countries.get(0).getQueryKey()).getDataUpdatedAt();
            out.println("   run " + run + ": " + fresh + " queries served from SQLite, " + calls + " HTTP calls, in "
                    + Timing.format(time) + " (fetched by an earlier run " + (System.currentTimeMillis() - savedAt) / 1000
                    + " s ago, fresh for 1 h)");
        } else {
            out.println("   from SQLite: " + fresh + " fresh, " + stale + " stale (shown at once, refetched in the "
                    + "background); " + missing + " missing (fetched); HTTP calls so far: " + calls);
        }
    }
}
