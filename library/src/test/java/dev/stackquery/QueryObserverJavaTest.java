package dev.stackquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * Observers as a Java caller uses them: a lambda listener, an Executor, try-with-resources.
 * The observers come from {@link JavaTestSupport}: QueryOptions cannot be built from plain Java yet.
 */
class QueryObserverJavaTest {

    /** Queues tasks; {@link #runAll()} runs them on the calling thread. */
    private static final class QueueingExecutor implements Executor {
        private final List<Runnable> tasks = new ArrayList<>();

        @Override
        public synchronized void execute(Runnable command) {
            tasks.add(command);
        }

        int pending() {
            synchronized (this) {
                return tasks.size();
            }
        }

        void runAll() {
            while (true) {
                Runnable task;
                synchronized (this) {
                    if (tasks.isEmpty()) {
                        return;
                    }
                    task = tasks.remove(0);
                }
                task.run();
            }
        }
    }

    @Test
    void aListenerGetsEveryStateTheFirstIncludedThroughItsExecutor() {
        try (QueryClient client = new QueryClient()) {
            QueryKey key = QueryKey.of("user", 42);
            client.setQueryData(key, "x");
            QueryObserver<String> observer = JavaTestSupport.observerOf(client, key);
            QueueingExecutor executor = new QueueingExecutor();
            List<String> seen = new ArrayList<>();

            Subscription subscription = observer.subscribe(state -> seen.add(state.getData()), executor);
            assertEquals(List.of(), seen);
            assertTrue(subscription.isSubscribed());
            assertEquals(1, executor.pending());
            executor.runAll();
            assertEquals(List.of("x"), seen);

            client.setQueryData(key, "y");
            assertEquals(List.of("x"), seen);
            assertEquals(1, executor.pending());
            executor.runAll();
            assertEquals(List.of("x", "y"), seen);
            subscription.unsubscribe();
        }
    }

    @Test
    void aSubscriptionInTryWithResourcesUnsubscribes() {
        try (QueryClient client = new QueryClient()) {
            QueryKey key = QueryKey.of("user", 42);
            client.setQueryData(key, "x");
            QueryObserver<String> observer = JavaTestSupport.observerOf(client, key);
            QueueingExecutor executor = new QueueingExecutor();
            // QueryListener<in T> over QueryState<out T>: Java sees onState(QueryState<? extends T>).
            List<QueryState<? extends String>> seen = new ArrayList<>();

            Subscription outer;
            try (Subscription subscription = observer.subscribe(seen::add, executor)) {
                outer = subscription;
                assertTrue(subscription.isSubscribed());
            }
            assertFalse(outer.isSubscribed());
            outer.unsubscribe(); // idempotent
            assertFalse(outer.isSubscribed());

            client.setQueryData(key, "y");
            executor.runAll();
            // Even the first state goes through the executor, and it had not run before the close.
            assertEquals(List.of(), seen);
        }
    }

    @Test
    void theCurrentStateIsReadableWithoutSubscribing() {
        try (QueryClient client = new QueryClient()) {
            QueryKey key = QueryKey.of("user", 42);
            client.setQueryData(key, "x");
            QueryObserver<String> observer = JavaTestSupport.observerOf(client, key);
            QueryState<String> current = observer.getCurrent();
            assertEquals("x", current.getData());
            assertTrue(current.hasData());
            assertFalse(current.isPlaceholderData());
            assertTrue(current.isSuccess());
            assertEquals(current, observer.getState().getValue());
        }
    }

    @Test
    void placeholderDataIsMarkedAndNeverCached() {
        try (QueryClient client = new QueryClient()) {
            QueryKey key = QueryKey.of("user", 7);
            QueryObserver<String> observer = JavaTestSupport.placeholderObserverOf(client, key, "loading");
            QueryState<String> current = observer.getCurrent();
            assertEquals("loading", current.getData());
            assertTrue(current.hasData());
            assertTrue(current.isPlaceholderData());
            assertEquals(QueryStatus.SUCCESS, current.getStatus());
            assertNull(client.getQueryState(key));
        }
    }
}
