package dev.stackquery.internal.client

import dev.stackquery.MutationCacheEvent
import dev.stackquery.QueryCacheEvent
import dev.stackquery.QueryClient
import dev.stackquery.QueryClientClosedException
import dev.stackquery.QueryClientConfig
import dev.stackquery.internal.StatsCounter
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asExecutor
import org.slf4j.LoggerFactory
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.ContinuationInterceptor

/**
 * What every part of one client shares: its configuration and clock, the coroutine scope all of
 * its background work runs in, its counters and event bus, the focus and network conditions,
 * whether it is closed, and where failures of user code are logged. Holds no query and makes no decision.
 */
internal class ClientRuntime(
    val config: QueryClientConfig,
    /** The public client, handed to query functions; `null` only for engine parts tested alone. */
    val client: QueryClient? = null,
) {
    val clock = config.clock
    val job: Job = SupervisorJob(config.coroutineContext[Job])
    val scope = CoroutineScope(
        config.coroutineContext + job + CoroutineName("StackQuery") +
            CoroutineExceptionHandler { _, e -> logFailure("a background task", e) },
    )
    val stats = StatsCounter()
    val events = EventBus<QueryCacheEvent>()
    val mutationEvents = EventBus<MutationCacheEvent>()

    /** Focus and network, and what they allow now; subscribed to by the engine when it starts. */
    val conditions = RunConditions(config.focusManager, config.onlineManager)

    /** The client's dispatcher as an `Executor`: where listeners run unless given their own. */
    val dispatchExecutor: Executor =
        ((config.coroutineContext[ContinuationInterceptor] as? CoroutineDispatcher) ?: Dispatchers.Default).asExecutor()

    private val closeCalled = AtomicBoolean()

    /**
     * True once `close()` was called, or once the client's job stopped being active (its parent
     * `Job` was cancelled: `close()` follows when the job completes, but fetches already end with
     * the job's cancellation, which callers must see as [QueryClientClosedException]).
     */
    val isClosed: Boolean get() = closeCalled.get() || !job.isActive

    /** Marks the client closed; false if `close()` already did (exactly one caller gets true). */
    fun markClosed(): Boolean = closeCalled.compareAndSet(false, true)

    /** @throws QueryClientClosedException when the client is closed. */
    fun checkOpen() {
        if (isClosed) throw QueryClientClosedException()
    }

    /** Publishes [event] when anyone listens (see [EventBus.emit]). */
    inline fun emit(event: () -> QueryCacheEvent) = events.emit(event)

    fun logFailure(what: String, error: Throwable) {
        log.warn("StackQuery: {} failed", what, error)
    }

    private companion object {
        val log = LoggerFactory.getLogger(ClientRuntime::class.java)
    }
}
