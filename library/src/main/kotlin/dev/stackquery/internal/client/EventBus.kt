package dev.stackquery.internal.client

import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.channels.BufferOverflow
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.SharedFlow
import java.util.concurrent.atomic.AtomicInteger

/**
 * The client's cache events of one kind ([dev.stackquery.QueryCacheEvent]s or
 * [dev.stackquery.MutationCacheEvent]s): a shared flow that keeps the last [BUFFER] events for slow
 * collectors (dropping the oldest), and that costs nothing while nobody collects: [emit] builds
 * an event only when a collector is counted.
 */
internal class EventBus<E : Any> {
    private val flow = MutableSharedFlow<E>(
        extraBufferCapacity = BUFFER,
        onBufferOverflow = BufferOverflow.DROP_OLDEST,
    )

    /** Collectors of [events], counted without a lock (the flow's own count takes its lock). */
    val collectors = AtomicInteger()

    /** The events; collecting counts as listening. */
    @OptIn(ExperimentalForInheritanceCoroutinesApi::class)
    val events: SharedFlow<E> = object : SharedFlow<E> {
        override val replayCache: List<E> get() = flow.replayCache

        override suspend fun collect(collector: FlowCollector<E>): Nothing {
            collectors.incrementAndGet()
            try {
                flow.collect(collector)
            } finally {
                collectors.decrementAndGet()
            }
        }
    }

    /** Publishes [event] when anyone listens (no allocation or lock otherwise). */
    inline fun emit(event: () -> E) {
        if (collectors.get() > 0) flow.tryEmit(event())
    }

    private companion object {
        const val BUFFER = 1024
    }
}
