package dev.stackquery.storage

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.future.await
import kotlinx.coroutines.future.future
import java.util.concurrent.CompletionStage
import java.util.concurrent.Executor
import kotlin.coroutines.CoroutineContext
import kotlin.time.Duration
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * The Java form of [StorageBackend]: the same three operations returning [CompletionStage]s.
 * Adapt it with [asStorageBackend] to pass it to `QueryClientConfig.builder().storage(…)` or a
 * [TieredStorage].
 *
 * ```java
 * AsyncStorageBackend mine = new AsyncStorageBackend() {
 *     public CompletionStage<String> get(String key) { return store.getAsync(key); }
 *     public CompletionStage<Void> set(String key, String value, Duration ttl) { return store.putAsync(key, value, ttl); }
 *     public CompletionStage<Void> delete(String key) { return store.removeAsync(key); }
 * };
 * StorageBackend storage = AsyncStorageBackend.asStorageBackend(mine);
 * ```
 * Each stage must complete (normally or exceptionally) without the caller blocking; exceptions
 * are reported as in [StorageBackend].
 */
public interface AsyncStorageBackend : AutoCloseable {
    /** See [StorageBackend.get]: completes with the value, or `null` when there is none. */
    public fun get(key: String): CompletionStage<String?>

    /** See [StorageBackend.set]; [ttl] is `null` for an entry that never expires. */
    public fun set(key: String, value: String, ttl: java.time.Duration?): CompletionStage<Void?>

    /** See [StorageBackend.delete]. */
    public fun delete(key: String): CompletionStage<Void?>

    /** See [StorageBackend.close]. Default: nothing to release. */
    override fun close() {}

    public companion object {
        /**
         * [backend] as an [AsyncStorageBackend], for Java code that uses a storage directly (a
         * [FileStorage], an SQL or Redis storage): each call runs on [Dispatchers.Default] and
         * cancelling its future cancels it. Closing the adapter closes [backend] and cancels the
         * calls still running. Same as `of(backend, Dispatchers.Default)`.
         */
        @JvmStatic
        public fun of(backend: StorageBackend): AsyncStorageBackend = of(backend, Dispatchers.Default)

        /**
         * As [of], each call starting on [executor] (converted with `asCoroutineDispatcher()`):
         * the application's own pool, or a test's executor. The adapter never shuts [executor] down.
         *
         * ```java
         * AsyncStorageBackend files = AsyncStorageBackend.of(FileStorage.builder(dir).build(), ioPool);
         * files.set("k", "v", Duration.ofMinutes(5)).toCompletableFuture().join();
         * ```
         */
        @JvmStatic
        public fun of(backend: StorageBackend, executor: Executor): AsyncStorageBackend =
            of(backend, executor.asCoroutineDispatcher())

        /**
         * As [of], each call running in [context]: its dispatcher (the client's, or a test's
         * `StandardTestDispatcher` for virtual time; an unconfined one runs each call on the calling
         * thread up to its first suspension) and elements such as a `CoroutineName`. A [Job] in it is
         * ignored: the calls live until they complete, are cancelled through their future, or the
         * adapter is closed.
         */
        @JvmStatic
        public fun of(backend: StorageBackend, context: CoroutineContext): AsyncStorageBackend =
            object : AsyncStorageBackend {
                private val scope = CoroutineScope(context.minusKey(Job) + SupervisorJob())

                override fun get(key: String): CompletionStage<String?> = scope.future { backend.get(key) }

                override fun set(key: String, value: String, ttl: java.time.Duration?): CompletionStage<Void?> =
                    scope.future {
                        backend.set(key, value, ttl?.toKotlinDuration())
                        null
                    }

                override fun delete(key: String): CompletionStage<Void?> = scope.future {
                    backend.delete(key)
                    null
                }

                override fun close() {
                    scope.cancel()
                    backend.close()
                }

                override fun toString(): String = "AsyncStorageBackend.of($backend)"
            }

        /** [backend] as a [StorageBackend]; closing the adapter closes [backend]. */
        @JvmStatic
        public fun asStorageBackend(backend: AsyncStorageBackend): StorageBackend = object : StorageBackend {
            override suspend fun get(key: String): String? = backend.get(key).await()

            override suspend fun set(key: String, value: String, ttl: Duration?) {
                backend.set(key, value, ttl?.toJavaDuration()).await()
            }

            override suspend fun delete(key: String) {
                backend.delete(key).await()
            }

            override fun close() = backend.close()

            override fun toString(): String = "AsyncStorageBackend($backend)"
        }
    }
}
