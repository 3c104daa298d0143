package dev.stackquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stackquery.future.FutureQueryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Structural sharing, notifyOnChange, the richer state, setOptions with a select, watchAll and
 * watchDependent, called from plain Java: builders, java.util.function lambdas, CompletableFutures
 * and the future facade, with no Kotlin type in sight.
 *
 * <p>The client runs on the wall clock. Nothing sleeps: a test waits on a future with a bounded
 * timeout, or runs the listener tasks of a {@link HandRunExecutor} until what it expects arrived
 * (failing after ten seconds). Query functions the test must hold open return a CompletableFuture
 * the test completes by hand, so every intermediate state is there to be seen.
 *
 * <p>The test sources are compiled with {@code --release 11} (the library's target), so the data
 * class below is a hand-written value class rather than a record.
 */
class ObserverChangeTrackingJavaTest {
    private static final QueryKey USERS = QueryKey.of("users");
    private static final Duration A_MINUTE = Duration.ofMinutes(1);

    /** A value class, as a record would be: equal by its fields, each instance distinct. */
    static final class User {
        final int id;
        final String name;

        User(int id, String name) {
            this.id = id;
            this.name = name;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof User && ((User) other).id == id && ((User) other).name.equals(name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, name);
        }

        @Override
        public String toString() {
            return "User(" + id + ", " + name + ")";
        }
    }

    /**
     * Queues listener tasks; the test runs them by hand on its own thread, like an event loop
     * turning. {@link #onThisThread()} tells a listener whether it runs inside one of these tasks.
     */
    private static final class HandRunExecutor implements Executor {
        private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        private volatile Thread runner;

        @Override
        public void execute(Runnable command) {
            tasks.add(command);
        }

        int pending() {
            return tasks.size();
        }

        /** Whether the calling code runs inside a task of this executor. */
        boolean onThisThread() {
            return runner == Thread.currentThread();
        }

        /** Runs the queued tasks (and those they queue) until none is left. */
        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                run(task);
            }
        }

        /** Runs tasks as they come until {@code done}; fails after ten seconds without it. */
        void runUntil(BooleanSupplier done, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                Runnable task = left > 0 ? tasks.poll(left, TimeUnit.NANOSECONDS) : null;
                if (task == null) {
                    fail("timed out waiting for " + what);
                }
                run(task);
            }
        }

        private void run(Runnable task) {
            runner = Thread.currentThread();
            try {
                task.run();
            } finally {
                runner = null;
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static List<User> adaAndGrace() {
        return List.of(new User(1, "Ada"), new User(2, "Grace"));
    }

    @Test
    void replaceEqualDeepKeepsEqualPartsAndAnEqualRefetchKeepsTheCachedList() throws Exception {
        List<User> oldList = adaAndGrace();
        List<User> newList = List.of(new User(1, "Ada"), new User(2, "Hopper"));
        List<User> sharedList = StructuralSharing.replaceEqualDeep(oldList, newList);
        assertEquals(newList, sharedList);
        assertSame(oldList.get(0), sharedList.get(0));
        assertNotSame(oldList.get(1), sharedList.get(1));
        assertSame(newList.get(1), sharedList.get(1));
        assertNotSame(oldList, sharedList);
        assertNotSame(newList, sharedList); // partly shared: a copy in the new list's order
        assertSame(oldList, StructuralSharing.replaceEqualDeep(oldList, adaAndGrace()));

        Map<String, User> oldMap = Map.of("author", new User(1, "Ada"), "reviewer", new User(2, "Grace"));
        Map<String, User> newMap = Map.of("author", new User(1, "Ada"), "reviewer", new User(3, "Barbara"));
        Map<String, User> sharedMap = StructuralSharing.replaceEqualDeep(oldMap, newMap);
        assertEquals(newMap, sharedMap);
        assertSame(oldMap.get("author"), sharedMap.get("author"));
        assertSame(newMap.get("reviewer"), sharedMap.get("reviewer"));
        assertSame(oldMap, StructuralSharing.replaceEqualDeep(oldMap,
            Map.of("author", new User(1, "Ada"), "reviewer", new User(2, "Grace"))));

        Map<String, List<User>> oldTeams = Map.of("a", adaAndGrace(), "b", List.of(new User(4, "Linus")));
        Map<String, List<User>> newTeams = Map.of("a", adaAndGrace(), "b", List.of(new User(4, "Ken")));
        Map<String, List<User>> sharedTeams = StructuralSharing.replaceEqualDeep(oldTeams, newTeams);
        assertSame(oldTeams.get("a"), sharedTeams.get("a")); // nested: the equal inner list is kept whole
        assertSame(newTeams.get("b"), sharedTeams.get("b"));

        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger fetches = new AtomicInteger();
            QueryOptions<List<User>> options = QueryOptions.<List<User>>builder(USERS, () -> {
                int call = fetches.incrementAndGet();
                return CompletableFuture.completedFuture(call < 3 ? adaAndGrace()
                    : List.of(new User(1, "Ada"), new User(2, "Hopper")));
            }).build();
            List<User> first = await(futures.fetchQuery(options));
            SwitchableQueryObserver<List<User>, List<User>> observer = client.watch(options);

            QueryState<List<User>> equal = await(futures.refetch(observer));
            assertEquals(2, fetches.get());
            assertSame(first, equal.getData());
            assertSame(first, client.getQueryData(USERS));
            assertEquals(2, equal.getDataUpdateCount());
            assertEquals(FetchStatus.IDLE, equal.getFetchStatus());

            QueryState<List<User>> changed = await(futures.refetch(observer));
            assertEquals(3, fetches.get());
            assertEquals(List.of(new User(1, "Ada"), new User(2, "Hopper")), changed.getData());
            assertNotSame(first, changed.getData());
            assertSame(first.get(0), changed.getData().get(0));
            assertNotSame(first.get(1), changed.getData().get(1));
            assertEquals(3, changed.getDataUpdateCount());
        }
    }

    @Test
    void sharingCanBeTurnedOffOrReplacedByAJavaFunction() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);

            QueryOptions<List<User>> unshared = QueryOptions.<List<User>>builder(QueryKey.of("unshared"),
                    () -> CompletableFuture.completedFuture(adaAndGrace()))
                .structuralSharing(false)
                .build();
            List<User> first = await(futures.fetchQuery(unshared));
            QueryState<List<User>> refetched = await(futures.refetch(client.watch(unshared)));
            assertEquals(first, refetched.getData());
            assertNotSame(first, refetched.getData());
            assertNotSame(first.get(0), refetched.getData().get(0));
            assertSame(refetched.getData(), client.getQueryData(QueryKey.of("unshared")));

            List<String> calls = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger versions = new AtomicInteger();
            QueryKey versionKey = QueryKey.of("version");
            QueryOptions<String> keepOld = QueryOptions.<String>builder(versionKey,
                    () -> CompletableFuture.completedFuture("v" + versions.incrementAndGet()))
                .structuralSharing((old, neu) -> {
                    calls.add(old + "->" + neu);
                    return old;
                })
                .build();
            String v1 = await(futures.fetchQuery(keepOld));
            assertEquals("v1", v1);
            assertEquals(List.of(), calls); // nothing cached yet: nothing to share with
            QueryState<String> kept = await(futures.refetch(client.watch(keepOld)));
            assertEquals(List.of("v1->v2"), calls);
            assertSame(v1, kept.getData());
            assertSame(v1, client.getQueryData(versionKey));
            assertEquals(2, kept.getDataUpdateCount());

            // structuralSharing(false) after a function drops the function.
            QueryOptions<String> dropped = QueryOptions.<String>builder(versionKey,
                    () -> CompletableFuture.completedFuture("v" + versions.incrementAndGet()))
                .structuralSharing((old, neu) -> {
                    calls.add("dropped " + old + "->" + neu);
                    return old;
                })
                .structuralSharing(false)
                .build();
            QueryState<String> taken = await(futures.refetch(client.watch(dropped)));
            assertEquals("v3", taken.getData());
            assertEquals(List.of("v1->v2"), calls);
        }
    }

    @Test
    void aDataOnlyObserverSleepsThroughAnEqualRefetchThatAnAllFieldsObserverSees() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger fetches = new AtomicInteger();
            CompletableFuture<List<User>> secondAnswer = new CompletableFuture<>();
            QueryOptions<List<User>> allFields = QueryOptions.<List<User>>builder(USERS,
                    () -> fetches.incrementAndGet() == 1 ? CompletableFuture.completedFuture(adaAndGrace()) : secondAnswer)
                .staleTime(A_MINUTE) // fresh on subscribe: only the explicit refetch fetches
                .build();
            QueryOptions<List<User>> dataOnly = QueryOptions.<List<User>>builder(USERS,
                    () -> fetches.incrementAndGet() == 1 ? CompletableFuture.completedFuture(adaAndGrace()) : secondAnswer)
                .staleTime(A_MINUTE)
                .notifyOnChange(QueryStateField.DATA)
                .build();
            List<User> loaded = await(futures.fetchQuery(allFields));

            SwitchableQueryObserver<List<User>, List<User>> all = client.watch(allFields);
            SwitchableQueryObserver<List<User>, List<User>> quiet = client.watch(dataOnly);
            HandRunExecutor edt = new HandRunExecutor();
            List<QueryState<List<User>>> allSeen = new ArrayList<>();
            List<QueryState<List<User>>> quietSeen = new ArrayList<>();
            Subscription a = all.subscribe(allSeen::add, edt);
            Subscription q = quiet.subscribe(quietSeen::add, edt);
            assertEquals(List.of(), allSeen); // every state, the first included, comes through the executor
            assertEquals(List.of(), quietSeen);
            assertEquals(2, edt.pending());
            edt.runAll();
            assertEquals(1, allSeen.size());
            assertEquals(1, quietSeen.size());
            assertSame(loaded, allSeen.get(0).getData());
            assertSame(loaded, quietSeen.get(0).getData());
            allSeen.clear();
            quietSeen.clear();

            CompletableFuture<QueryState<List<User>>> refetch = futures.refetch(all);
            edt.runUntil(() -> allSeen.size() == 1, "the FETCHING state");
            assertEquals(FetchStatus.FETCHING, allSeen.get(0).getFetchStatus());
            assertTrue(allSeen.get(0).isRefetching());
            secondAnswer.complete(adaAndGrace()); // equal data, new instances
            QueryState<List<User>> refetched = await(refetch);
            edt.runUntil(() -> allSeen.size() == 2, "the IDLE state");
            edt.runAll();

            assertEquals(2, fetches.get());
            assertEquals(List.of(FetchStatus.FETCHING, FetchStatus.IDLE),
                allSeen.stream().map(QueryState::getFetchStatus).collect(Collectors.toList()));
            for (QueryState<List<User>> state : allSeen) {
                assertSame(loaded, state.getData());
                assertEquals(QueryStatus.SUCCESS, state.getStatus());
            }
            assertEquals(1, allSeen.get(0).getDataUpdateCount());
            assertEquals(2, allSeen.get(1).getDataUpdateCount());
            assertSame(loaded, refetched.getData());
            assertSame(loaded, client.getQueryData(USERS));
            assertEquals(List.of(), quietSeen);
            assertEquals(1, quiet.getCurrent().getDataUpdateCount()); // the last state it published

            // A real change reaches the DATA-only observer; its states arrive in order, so none was pending.
            List<User> renamed = List.of(new User(1, "Ada"), new User(2, "Hopper"));
            client.setQueryData(USERS, renamed);
            edt.runUntil(() -> quietSeen.size() == 1 && allSeen.size() == 3, "the new data");
            edt.runAll();
            assertEquals(1, quietSeen.size());
            assertEquals(renamed, quietSeen.get(0).getData());
            assertSame(loaded.get(0), quietSeen.get(0).getData().get(0));
            assertEquals(3, allSeen.size());
            a.unsubscribe();
            q.unsubscribe();
        }
    }

    @Test
    void theRicherStateTellsALoadingErrorFromARefetchErrorAndCountsUpdates() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryKey key = QueryKey.of("flaky");
            AtomicInteger calls = new AtomicInteger();
            QueryOptions<String> options = QueryOptions.<String>builder(key, () -> {
                int call = calls.incrementAndGet();
                return call == 2 ? CompletableFuture.completedFuture("v2")
                    : CompletableFuture.<String>failedFuture(new IllegalStateException("down " + call));
            })
                .retry(0)
                .staleTime(A_MINUTE)
                .refetchOnSubscribe(RefetchTrigger.NEVER) // active, but fetching only when asked
                .build();
            SwitchableQueryObserver<String, String> observer = client.watch(options);
            HandRunExecutor edt = new HandRunExecutor();
            Subscription subscription = observer.subscribe(state -> { }, edt);

            QueryState<String> before = observer.getCurrent();
            assertEquals(QueryStatus.IDLE, before.getStatus());
            assertFalse(before.isFetched());
            assertFalse(before.isFetchedAfterMount());
            assertTrue(before.isStale());
            assertFalse(before.isLoadingError());
            assertEquals(0, before.getDataUpdateCount());
            assertEquals(0, before.getErrorUpdateCount());
            assertEquals(0, calls.get());

            QueryState<String> failed = await(futures.refetch(observer));
            assertEquals(1, calls.get());
            assertEquals(QueryStatus.ERROR, failed.getStatus());
            assertEquals(FetchStatus.IDLE, failed.getFetchStatus());
            assertEquals("down 1", failed.getError().getMessage());
            assertFalse(failed.hasData());
            assertTrue(failed.isLoadingError());
            assertFalse(failed.isRefetchError());
            assertFalse(failed.isRefetching());
            assertTrue(failed.isFetched());
            assertTrue(failed.isFetchedAfterMount());
            assertTrue(failed.isStale());
            assertEquals(1, failed.getFailureCount());
            assertEquals(0, failed.getDataUpdateCount());
            assertEquals(1, failed.getErrorUpdateCount());

            QueryState<String> succeeded = await(futures.refetch(observer));
            assertEquals(2, calls.get());
            assertEquals(QueryStatus.SUCCESS, succeeded.getStatus());
            assertEquals("v2", succeeded.getData());
            assertNull(succeeded.getError());
            assertFalse(succeeded.isLoadingError());
            assertFalse(succeeded.isRefetchError());
            assertTrue(succeeded.isFetched());
            assertTrue(succeeded.isFetchedAfterMount());
            assertFalse(succeeded.isStale());
            assertEquals(0, succeeded.getFailureCount());
            assertEquals(1, succeeded.getDataUpdateCount());
            assertEquals(1, succeeded.getErrorUpdateCount());

            QueryState<String> refetchFailed = await(futures.refetch(observer));
            assertEquals(3, calls.get());
            assertEquals(QueryStatus.ERROR, refetchFailed.getStatus());
            assertEquals("down 3", refetchFailed.getError().getMessage());
            assertTrue(refetchFailed.hasData());
            assertEquals("v2", refetchFailed.getData());
            assertFalse(refetchFailed.isLoadingError());
            assertTrue(refetchFailed.isRefetchError());
            assertEquals(1, refetchFailed.getDataUpdateCount());
            assertEquals(2, refetchFailed.getErrorUpdateCount());

            QueryState<String> cached = client.getQueryState(key);
            assertEquals(1, cached.getDataUpdateCount());
            assertEquals(2, cached.getErrorUpdateCount());
            assertTrue(cached.isRefetchError());
            assertFalse(cached.isFetchedAfterMount()); // never set in the cache's own state
            subscription.unsubscribe();
        }
    }

    @Test
    void setOptionsWithAJavaSelectChangesWhatTheObserverShows() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryKey ada = QueryKey.of("name", 1);
            QueryKey grace = QueryKey.of("name", 2);
            QueryOptions<String> adaOptions = QueryOptions.<String>builder(ada,
                    () -> CompletableFuture.completedFuture("fetched")).staleTime(A_MINUTE).build();
            QueryOptions<String> graceOptions = QueryOptions.<String>builder(grace,
                    () -> CompletableFuture.completedFuture("fetched")).staleTime(A_MINUTE).build();
            client.setQueryData(ada, "Ada Lovelace");
            client.setQueryData(grace, "Grace Hopper");

            // Object as the shown type, so String::length and String::toUpperCase both fit.
            SwitchableQueryObserver<String, Object> observer = futures.<String, Object>watch(adaOptions, String::length);
            HandRunExecutor edt = new HandRunExecutor();
            List<Object> seen = new ArrayList<>();
            Subscription subscription = observer.subscribe(state -> seen.add(state.getData()), edt);
            assertEquals(List.of(), seen);
            assertEquals(1, edt.pending());
            edt.runAll();
            assertEquals(List.of(12), seen);

            observer.setOptions(adaOptions, String::toUpperCase);
            edt.runAll();
            assertEquals(List.of(12, "ADA LOVELACE"), seen);
            assertEquals("ADA LOVELACE", observer.getCurrent().getData());
            assertEquals("Ada Lovelace", client.getQueryData(ada)); // the cache keeps the raw data

            observer.setOptions(graceOptions, name -> name.split(" ")[1]);
            edt.runAll();
            assertEquals(List.of(12, "ADA LOVELACE", "Hopper"), seen);
            assertSame(graceOptions, observer.getOptions());
            subscription.unsubscribe();

            observer.setOptions(adaOptions, name -> name.substring(0, 3));
            assertEquals("Ada", observer.getCurrent().getData()); // detached: computed from the cache
            assertEquals(List.of(12, "ADA LOVELACE", "Hopper"), seen);
        }
    }

    @Test
    void watchAllCombinesThroughTheExecutorAndRefetchesTogether() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            AtomicInteger userCalls = new AtomicInteger();
            AtomicInteger countCalls = new AtomicInteger();
            CompletableFuture<String> firstUser = new CompletableFuture<>();
            CompletableFuture<Integer> firstCount = new CompletableFuture<>();
            QueryOptions<String> userOptions = QueryOptions.<String>builder(QueryKey.of("user", 1),
                () -> userCalls.incrementAndGet() == 1 ? firstUser : CompletableFuture.completedFuture("Ada")).build();
            QueryOptions<Integer> countOptions = QueryOptions.<Integer>builder(QueryKey.of("posts", 1, "count"),
                () -> countCalls.incrementAndGet() == 1 ? firstCount : CompletableFuture.completedFuture(5)).build();

            CombinedQueryObserver<String> dashboard = futures.<Object, String>watchAll(
                List.of(userOptions, countOptions),
                states -> states.get(0).isSuccess() && states.get(1).isSuccess()
                    ? states.get(0).getData() + "/" + states.get(1).getData()
                    : "loading");
            assertEquals(2, dashboard.getObservers().size());

            HandRunExecutor ui = new HandRunExecutor();
            List<String> seen = new ArrayList<>();
            List<Boolean> onExecutor = new ArrayList<>();
            Subscription subscription = dashboard.subscribe(value -> {
                onExecutor.add(ui.onThisThread());
                seen.add(value);
            }, ui);
            // Not delivered by subscribe itself: the first value is a task on the executor.
            assertEquals(List.of(), seen);
            assertEquals(1, ui.pending());
            ui.runAll();
            assertEquals(List.of("loading"), seen);

            firstUser.complete("Ada");
            firstCount.complete(3);
            ui.runUntil(() -> seen.size() == 2, "the combined value");
            assertEquals(List.of("loading", "Ada/3"), seen);
            assertEquals("Ada/3", dashboard.getCurrent());

            String refetched = await(futures.refetch(dashboard));
            assertEquals("Ada/5", refetched);
            assertEquals(2, userCalls.get());
            assertEquals(2, countCalls.get());
            ui.runUntil(() -> seen.size() == 3, "the refetched value");
            ui.runAll();
            assertEquals(List.of("loading", "Ada/3", "Ada/5"), seen);
            assertEquals(List.of(true, true, true), onExecutor);
            assertEquals("Ada/5", dashboard.getCurrent());
            subscription.unsubscribe();
        }
    }

    private static QueryOptions<List<String>> postsOptions(User user, CompletionStage<List<String>> answer) {
        return QueryOptions.<List<String>>builder(QueryKey.of("posts", user.id), () -> answer).build();
    }

    @Test
    void watchDependentIsIdleUntilTheFirstQueryHasDataThenShowsTheSecond() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            CompletableFuture<User> me = new CompletableFuture<>();
            CompletableFuture<List<String>> posts = new CompletableFuture<>();
            QueryOptions<User> meOptions = QueryOptions.<User>builder(QueryKey.of("me"), () -> me).build();
            List<User> optionsBuiltFor = Collections.synchronizedList(new ArrayList<>());
            QueryObserver<List<String>> observer = futures.watchDependent(meOptions, user -> {
                optionsBuiltFor.add(user);
                return postsOptions(user, posts);
            });

            HandRunExecutor ui = new HandRunExecutor();
            List<QueryState<List<String>>> seen = new ArrayList<>();
            Subscription subscription = observer.subscribe(seen::add, ui);
            assertEquals(List.of(), seen);
            assertEquals(1, ui.pending());
            ui.runAll();
            assertEquals(1, seen.size());
            assertEquals(QueryStatus.IDLE, seen.get(0).getStatus());
            assertEquals(FetchStatus.IDLE, seen.get(0).getFetchStatus());
            assertFalse(seen.get(0).hasData());
            assertEquals(List.of(), optionsBuiltFor);

            me.complete(new User(1, "Ada"));
            ui.runUntil(() -> seen.size() == 2, "the second query's pending state");
            assertEquals(QueryStatus.PENDING, seen.get(1).getStatus());
            assertEquals(FetchStatus.FETCHING, seen.get(1).getFetchStatus());

            List<String> adasPosts = List.of("Ada's first post", "Ada's second post");
            posts.complete(adasPosts);
            ui.runUntil(() -> seen.size() == 3, "the second query's data");
            ui.runAll();
            assertEquals(List.of(QueryStatus.IDLE, QueryStatus.PENDING, QueryStatus.SUCCESS),
                seen.stream().map(QueryState::getStatus).collect(Collectors.toList()));
            QueryState<List<String>> loaded = seen.get(2);
            assertSame(adasPosts, loaded.getData());
            assertEquals(FetchStatus.IDLE, loaded.getFetchStatus());
            assertFalse(loaded.isPlaceholderData());
            assertEquals(List.of(new User(1, "Ada")), optionsBuiltFor);
            assertSame(adasPosts, client.getQueryData(QueryKey.of("posts", 1)));
            assertSame(adasPosts, observer.getCurrent().getData());
            subscription.unsubscribe();
        }
    }

    @Test
    void watchDependentWithKeepPreviousDataShowsTheOldPostsWhileTheNewUsersLoad() throws Exception {
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            QueryKey meKey = QueryKey.of("me");
            Map<Integer, CompletableFuture<List<String>>> answers = new ConcurrentHashMap<>();
            List<String> adasPosts = List.of("Ada's post");
            List<String> gracesPosts = List.of("Grace's post");
            answers.put(1, CompletableFuture.completedFuture(adasPosts));
            answers.put(2, new CompletableFuture<>());
            QueryOptions<User> meOptions = QueryOptions.<User>builder(meKey,
                () -> CompletableFuture.completedFuture(new User(1, "Ada"))).staleTime(A_MINUTE).build();
            QueryObserver<List<String>> observer = futures.watchDependent(meOptions, true,
                user -> postsOptions(user, answers.get(user.id)));

            HandRunExecutor ui = new HandRunExecutor();
            List<QueryState<List<String>>> seen = new ArrayList<>();
            Subscription subscription = observer.subscribe(seen::add, ui);
            ui.runUntil(() -> !seen.isEmpty() && seen.get(seen.size() - 1).getData() == adasPosts, "Ada's posts");
            ui.runAll();
            int before = seen.size();

            client.setQueryData(meKey, new User(2, "Grace"));
            ui.runUntil(() -> seen.size() == before + 1, "the kept posts");
            QueryState<List<String>> kept = seen.get(before);
            assertSame(adasPosts, kept.getData());
            assertTrue(kept.isPlaceholderData());
            assertEquals(QueryStatus.SUCCESS, kept.getStatus());
            assertEquals(FetchStatus.FETCHING, kept.getFetchStatus());

            answers.get(2).complete(gracesPosts);
            ui.runUntil(() -> seen.size() == before + 2, "Grace's posts");
            ui.runAll();
            assertEquals(before + 2, seen.size());
            QueryState<List<String>> loaded = seen.get(before + 1);
            assertSame(gracesPosts, loaded.getData());
            assertFalse(loaded.isPlaceholderData());
            assertEquals(QueryStatus.SUCCESS, loaded.getStatus());
            assertEquals(FetchStatus.IDLE, loaded.getFetchStatus());
            subscription.unsubscribe();
        }
    }
}
