package dev.stackquery.storage.redis.internal

import dev.stackquery.storage.StorageUnavailableException
import io.lettuce.core.api.StatefulConnection
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionStage
import java.util.concurrent.atomic.AtomicReference
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * A connection opened on first use and shared by every caller. Once open, Lettuce keeps it alive
 * (it reconnects by itself after a loss). If opening fails (Redis down when the first operation
 * runs), the next [get] tries again, so a storage created while Redis is down starts working when
 * Redis comes up. Never blocks; thread-safe.
 */
internal class LazyConnection<C : StatefulConnection<*, *>>(
    private val connector: RedisConnector,
    private val open: () -> CompletionStage<C>,
) {
    private val current = AtomicReference<CompletableFuture<C>?>()

    /** Starts opening the connection without waiting for it. */
    fun openInBackground() {
        if (!connector.isClosed) future()
    }

    /**
     * The open connection, waiting for it at most [RedisConnector.connectBound].
     *
     * @throws StorageUnavailableException when it cannot be opened in time or the connector is closed.
     */
    suspend fun get(): C {
        if (connector.isClosed) throw connector.closedException()
        val future = future()
        future.getNow(null)?.let { return it }
        return withTimeoutOrNull(connector.connectBound) { future.awaitShared() }
            ?: throw StorageUnavailableException(
                "Could not connect to ${connector.target} within ${connector.connectBound}",
            )
    }

    private fun future(): CompletableFuture<C> {
        while (true) {
            val existing = current.get()
            if (existing != null && !existing.isCompletedExceptionally) return existing
            val fresh = CompletableFuture<C>()
            if (!current.compareAndSet(existing, fresh)) continue
            try {
                open().whenComplete { connection, error ->
                    when {
                        error != null -> fresh.completeExceptionally(error)
                        connector.isClosed -> {
                            connection.closeAsync()
                            fresh.completeExceptionally(connector.closedException())
                        }
                        else -> fresh.complete(connection)
                    }
                }
            } catch (e: Exception) {
                fresh.completeExceptionally(e)
            }
            return fresh
        }
    }
}

/**
 * Waits for a future that other callers share: unlike `await()`, a cancelled waiter stops
 * waiting without cancelling the future.
 */
private suspend fun <T> CompletableFuture<T>.awaitShared(): T = suspendCancellableCoroutine { continuation ->
    whenComplete { value, error ->
        if (error == null) continuation.resume(value) else continuation.resumeWithException(error)
    }
}
