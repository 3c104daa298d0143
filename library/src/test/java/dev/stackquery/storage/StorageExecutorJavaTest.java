package dev.stackquery.storage;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** From Java, storages run their work on the application's executor: AsyncStorageBackend.of, TieredStorage, FileStorage. */
class StorageExecutorJavaTest {
    private ExecutorService pool;

    @BeforeEach
    void startPool() {
        pool = Executors.newSingleThreadExecutor(task -> new Thread(task, "app-pool"));
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    /** The current thread's name, without the " @coroutine#N" that coroutine debug mode appends. */
    static String thread() {
        String name = Thread.currentThread().getName();
        int at = name.indexOf(" @");
        return at < 0 ? name : name.substring(0, at);
    }

    /** A storage written in Java that records, for each call, which thread made it. */
    static final class ThreadRecordingStorage implements AsyncStorageBackend {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> firstSet = new CompletableFuture<>();
        volatile String value;

        @Override
        public CompletionStage<String> get(String key) {
            calls.add("get " + key + " on " + thread());
            return CompletableFuture.completedFuture(value);
        }

        @Override
        public CompletionStage<Void> set(String key, String value, Duration ttl) {
            String call = "set " + key + "=" + value + " on " + thread();
            calls.add(call);
            this.value = value;
            firstSet.complete(call);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> delete(String key) {
            calls.add("delete " + key + " on " + thread());
            value = null;
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void asyncStorageBackendOfAnExecutorRunsEveryCallOnIt() throws Exception {
        ThreadRecordingStorage recording = new ThreadRecordingStorage();
        try (AsyncStorageBackend storage = AsyncStorageBackend.of(AsyncStorageBackend.asStorageBackend(recording), pool)) {
            storage.set("k", "v", Duration.ofMinutes(1)).toCompletableFuture().get(10, SECONDS);
            assertEquals("v", storage.get("k").toCompletableFuture().get(10, SECONDS));
            storage.delete("k").toCompletableFuture().get(10, SECONDS);
            assertNull(storage.get("k").toCompletableFuture().get(10, SECONDS));
        }
        assertEquals(List.of("set k=v on app-pool", "get k on app-pool", "delete k on app-pool", "get k on app-pool"),
                recording.calls);
        assertFalse(pool.isShutdown(), "the adapter never shuts the executor down");
    }

    @Test
    void tieredStorageWriteBackWritesTheLowerTiersOnTheExecutor() throws Exception {
        ThreadRecordingStorage lower = new ThreadRecordingStorage();
        InMemoryStorage top = new InMemoryStorage();
        TieredStorage tiered = new TieredStorage(List.of(top, AsyncStorageBackend.asStorageBackend(lower)),
                WriteStrategy.WRITE_BACK, Duration.ofMinutes(5), 10_000, pool);
        try (AsyncStorageBackend storage = AsyncStorageBackend.of(tiered)) {
            storage.set("k", "v", null).toCompletableFuture().get(10, SECONDS);
            assertEquals("set k=v on app-pool", lower.firstSet.get(10, SECONDS));
        }
        assertFalse(pool.isShutdown());
    }

    @Test
    void fileStorageBuilderRunsFileWorkOnTheExecutor() throws Exception {
        Path dir = Files.createTempDirectory("stackquery-file");
        AtomicInteger tasks = new AtomicInteger();
        Executor counting = task -> {
            tasks.incrementAndGet();
            pool.execute(task);
        };
        try {
            FileStorage files = FileStorage.builder(dir).executor(counting).build();
            try (AsyncStorageBackend storage = AsyncStorageBackend.of(files)) {
                storage.set("k", "v", Duration.ofMinutes(1)).toCompletableFuture().get(10, SECONDS);
                int afterSet = tasks.get();
                assertTrue(afterSet >= 1, "the write ran on the executor");
                assertEquals("v", storage.get("k").toCompletableFuture().get(10, SECONDS));
                assertTrue(tasks.get() > afterSet, "the read ran on the executor");
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
