package dev.stackquery.internal.observer

import dev.stackquery.InfiniteData
import dev.stackquery.InfiniteQueryObserver
import dev.stackquery.SelectedInfiniteQueryObserver
import dev.stackquery.StructuralSharing
import dev.stackquery.internal.client.ClientRuntime
import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.StateFlow

/**
 * The observer behind `QueryClient.watchInfinite(options, select)`: [base] (every state, page
 * flag and page load) plus [selected], `select` of the pages, memoized on the pages' instance and
 * structurally shared with its previous result.
 */
internal class SelectedInfiniteQueryObserverImpl<T, P, R>(
    private val base: InfiniteQueryObserver<T, P>,
    private val select: (InfiniteData<T, P>) -> R,
    private val runtime: ClientRuntime,
) : SelectedInfiniteQueryObserver<T, P, R>, InfiniteQueryObserver<T, P> by base {
    private val lock = Any()
    private var lastPages: InfiniteData<T, P>? = null // guarded by lock
    private var lastResult: R? = null // guarded by lock

    @OptIn(ExperimentalForInheritanceCoroutinesApi::class)
    override val selected: StateFlow<R?> = object : StateFlow<R?> {
        override val value: R? get() = selectFor(base.current.data)
        override val replayCache: List<R?> get() = listOf(value)

        override suspend fun collect(collector: FlowCollector<R?>): Nothing {
            var emitted = false
            var last: R? = null
            base.state.collect { state ->
                val next = selectFor(state.data)
                if (!emitted || next != last) {
                    emitted = true
                    last = next
                    collector.emit(next)
                }
            }
        }
    }

    /** `select(pages)`, run again only for new pages; a `select` that throws is logged and changes nothing. */
    private fun selectFor(pages: InfiniteData<T, P>?): R? = synchronized(lock) {
        if (pages == null) return@synchronized null
        if (pages === lastPages) return@synchronized lastResult
        val next = try {
            select(pages)
        } catch (e: Exception) {
            runtime.logFailure("the select function of an infinite query", e)
            return@synchronized lastResult
        }
        val previous = lastResult
        val shared = if (previous == null) next else StructuralSharing.replaceEqualDeep(previous, next)
        lastPages = pages
        lastResult = shared
        shared
    }
}
