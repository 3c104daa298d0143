package dev.stackquery.future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackquery.Mutation;
import dev.stackquery.MutationCacheCallbacks;
import dev.stackquery.MutationCacheEvent;
import dev.stackquery.MutationFilter;
import dev.stackquery.MutationOptions;
import dev.stackquery.MutationRun;
import dev.stackquery.MutationState;
import dev.stackquery.MutationStatus;
import dev.stackquery.QueryClient;
import dev.stackquery.QueryClientConfig;
import dev.stackquery.QueryKey;
import dev.stackquery.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The mutation cache from Java: runs and filters, gcTime and meta, events, per-call and cache-wide callbacks. */
class MutationCacheJavaTest {
    private static final QueryKey SAVE = QueryKey.of("user", "save");

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static MutationOptions.Builder<String, String, String> rename() {
        return MutationOptions.<String, String, String>builder(name -> name.startsWith("!")
                ? CompletableFuture.failedFuture(new IllegalStateException("refused " + name))
                : CompletableFuture.completedFuture(name.toUpperCase()))
            .onMutate(name -> "previous of " + name);
    }

    @Test
    void theMutationCacheListsRunsWithTheirKeyMetaAndStateAndFiltersThem() throws Exception {
        QueryClientConfig config = QueryClientConfig.builder().mutationGcTime(Duration.ofMinutes(1)).build();
        assertEquals(Duration.ofMinutes(1), config.getMutationGcTimeDuration());
        try (QueryClient client = new QueryClient(config)) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            MutationOptions<String, String, String> options =
                rename().mutationKey(SAVE).meta(Map.of("toast", "Saved")).gcTime(Duration.ofMinutes(2)).build();
            assertEquals(Duration.ofMinutes(2), options.getGcTimeDuration());
            Mutation<String, String> mutation = client.mutation(options);
            assertEquals("ADA", await(futures.mutate(mutation, "Ada")));
            assertThrows(ExecutionException.class, () -> await(futures.mutate(mutation, "!Grace")));

            List<MutationRun> all = client.mutations();
            assertEquals(2, all.size());
            MutationRun first = all.get(0);
            assertEquals(SAVE, first.getMutationKey());
            assertEquals(Map.of("toast", "Saved"), first.getMeta());
            assertEquals("Ada", first.getVariables());
            assertEquals(MutationStatus.SUCCESS, first.getStatus());
            assertEquals("previous of Ada", first.getState().getContext());
            assertTrue(first.getMutationId() < all.get(1).getMutationId());

            MutationFilter failed = MutationFilter.builder().mutationKey(QueryKey.of("user")).status(MutationStatus.ERROR).build();
            List<MutationRun> errors = client.mutations(failed);
            assertEquals(1, errors.size());
            assertEquals("refused !Grace", errors.get(0).getState().getFailureReason().getMessage());
            assertEquals(1, client.mutations(MutationFilter.builder().predicate(run -> "Ada".equals(run.getVariables())).build()).size());
            assertEquals(0, client.mutations(MutationFilter.exact(QueryKey.of("user"))).size());
            assertEquals(0, client.isMutating(MutationFilter.ALL));

            MutationState<String, String> state = mutation.getState().getValue();
            assertEquals("previous of !Grace", state.getContext());
            assertSame(state.getError(), state.getFailureReason());
        }
    }

    @Test
    void mutationEventsReachAListenerOnItsExecutorInOrder() throws Exception {
        ExecutorService audit = Executors.newSingleThreadExecutor(r -> new Thread(r, "audit"));
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> removed = new CompletableFuture<>();
            Subscription subscription = client.subscribeMutationEvents(event -> {
                seen.add(event.getClass().getSimpleName() + " " + event.getRun().getStatus() + " "
                    + Thread.currentThread().getName().startsWith("audit"));
                if (event instanceof MutationCacheEvent.Removed) removed.complete(null);
            }, audit);
            Mutation<String, String> mutation = client.mutation(rename().mutationKey(SAVE).gcTime(Duration.ZERO).build());
            assertEquals("ADA", await(futures.mutate(mutation, "Ada")));
            await(removed);
            assertEquals(List.of(
                "Added PENDING true",
                "Updated PENDING true",
                "Updated SUCCESS true",
                "Removed SUCCESS true"), seen);
            assertTrue(subscription.isSubscribed());
            subscription.unsubscribe();
            assertTrue(!subscription.isSubscribed());
            assertEquals(List.of(), client.mutations());
        } finally {
            audit.shutdownNow();
        }
    }

    @Test
    void perCallCallbacksRunAfterTheOptionsCallbacksOfTheirKind() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (QueryClient client = new QueryClient()) {
            FutureQueryClient futures = FutureQueryClient.of(client);
            Mutation<String, String> mutation = client.mutation(rename()
                .onSuccess((data, name, previous) -> seen.add("options onSuccess " + data))
                .onError((error, name, previous) -> seen.add("options onError " + error.getMessage()))
                .build());
            MutateCallbacks<String, String> callbacks = MutateCallbacks.<String, String>builder()
                .onSuccess((data, name, previous) -> seen.add("call onSuccess " + data + " " + previous))
                .onError((error, name, previous) -> seen.add("call onError " + error.getMessage() + " " + previous))
                .onSettled((data, error, name, previous) -> seen.add("call onSettled " + data))
                .build();
            assertEquals("ADA", await(futures.mutate(mutation, "Ada", callbacks)));
            assertThrows(ExecutionException.class, () -> await(futures.mutate(mutation, "!Bob", callbacks)));
            MutateCallbacks<String, String> throwing = MutateCallbacks.<String, String>builder()
                .onSuccess((data, name, previous) -> { throw new IllegalStateException("callback bug"); })
                .build();
            assertEquals("GRACE", await(futures.mutate(mutation, "Grace", throwing)));
            assertEquals(MutationStatus.SUCCESS, mutation.getState().getValue().getStatus());
        }
        assertEquals(List.of(
            "options onSuccess ADA",
            "call onSuccess ADA previous of Ada",
            "call onSettled ADA",
            "options onError refused !Bob",
            "call onError refused !Bob previous of !Bob",
            "call onSettled null",
            "options onSuccess GRACE"), seen);
    }

    @Test
    void cacheWideCallbacksRunBeforeTheOptionsCallbacksAndTheirExceptionsChangeNothing() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        MutationCacheCallbacks callbacks = MutationCacheCallbacks.builder()
            .onMutate((variables, run) -> seen.add("cache onMutate " + variables + " " + run.getMutationKey()))
            .onSuccess((data, variables, context, run) -> seen.add("cache onSuccess " + data + " " + context))
            .onError((error, variables, context, run) -> {
                seen.add("cache onError " + error.getMessage() + " " + run.getMeta().get("action"));
                throw new IllegalStateException("cache callback bug");
            })
            .onSettled((data, error, variables, context, run) -> seen.add("cache onSettled " + variables))
            .build();
        try (QueryClient client = new QueryClient(QueryClientConfig.builder().mutationCacheCallbacks(callbacks).build())) {
            assertSame(callbacks, client.getConfig().getMutationCacheCallbacks());
            FutureQueryClient futures = FutureQueryClient.of(client);
            Mutation<String, String> mutation = client.mutation(rename()
                .mutationKey(SAVE)
                .meta(Map.of("action", "rename"))
                .onSuccess((data, name, previous) -> seen.add("options onSuccess"))
                .onError((error, name, previous) -> seen.add("options onError"))
                .onSettled((data, error, name, previous) -> seen.add("options onSettled"))
                .build());
            assertEquals("ADA", await(futures.mutate(mutation, "Ada")));
            ExecutionException error = assertThrows(ExecutionException.class, () -> await(futures.mutate(mutation, "!Bob")));
            assertEquals("refused !Bob", error.getCause().getMessage());
            assertNull(mutation.getState().getValue().getData());
        }
        assertEquals(List.of(
            "cache onMutate Ada [\"user\",\"save\"]",
            "cache onSuccess ADA previous of Ada",
            "options onSuccess",
            "cache onSettled Ada",
            "options onSettled",
            "cache onMutate !Bob [\"user\",\"save\"]",
            "cache onError refused !Bob rename",
            "options onError",
            "cache onSettled !Bob",
            "options onSettled"), seen);
    }
}
