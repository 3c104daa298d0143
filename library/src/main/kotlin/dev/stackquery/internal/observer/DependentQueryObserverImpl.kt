package dev.stackquery.internal.observer

import dev.stackquery.QueryListener
import dev.stackquery.QueryObserver
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import dev.stackquery.Subscription
import dev.stackquery.internal.client.ClientEngine
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.flatMapLatest
import kotlinx.coroutines.flow.flowOf
import kotlinx.coroutines.launch
import java.util.concurrent.Executor

/**
 * The observer behind [dev.stackquery.QueryClient.watchDependent]: it shows the state of a second
 * query whose options [then] builds from the data of the [first]. While the first has no data it
 * shows IDLE (or the first's error, if it failed); once it has data, a second observer is made
 * from `then(data)`, and every new data of the first moves it to `then(newData)` (with
 * [keepPreviousData], the second's data stays shown while the new key loads).
 *
 * Collecting [state] keeps both observers active: the first, to follow its data, and the second.
 */
internal class DependentQueryObserverImpl<A, B>(
    private val engine: ClientEngine,
    private val first: QueryObserver<A>,
    private val keepPreviousData: Boolean,
    private val then: (A) -> QueryOptions<B>,
) : QueryObserver<B> {
    private val runtime = engine.runtime
    private val lock = Any()
    private val second = MutableStateFlow<QueryObserverImpl<B, B>?>(null)
    private var basedOn: Any? = NONE // the first's data the second's options came from; guarded by lock

    @OptIn(ExperimentalForInheritanceCoroutinesApi::class, ExperimentalCoroutinesApi::class)
    override val state: StateFlow<QueryState<B>> = object : StateFlow<QueryState<B>> {
        override val value: QueryState<B> get() = current
        override val replayCache: List<QueryState<B>> get() = listOf(value)

        override suspend fun collect(collector: FlowCollector<QueryState<B>>): Nothing {
            coroutineScope {
                launch { first.state.collect { follow(it) } }
                combine(first.state, second.flatMapLatest { it?.state ?: flowOf(null) }) { firstState, shown ->
                    if (!firstState.hasData || shown == null) waiting(firstState) else shown
                }
                    .distinctUntilChanged()
                    .collect(collector)
            }
            error("the states of observers never complete")
        }
    }

    /**
     * Read without side effects: the second observer's state while it follows the first's data;
     * otherwise the cache's state of the key `then(data)` names (or [waiting] without data).
     */
    override val current: QueryState<B>
        get() {
            val firstState = first.current
            if (!firstState.hasData) return waiting(firstState)
            val observer = second.value
            val following = synchronized(lock) { basedOn !== NONE && basedOn == firstState.data }
            if (observer != null && following) return observer.current
            @Suppress("UNCHECKED_CAST") // hasData: data is an A, even when A is nullable
            val key = try {
                then(firstState.data as A).queryKey
            } catch (e: Exception) {
                return observer?.current ?: waiting(firstState)
            }
            return engine.store.get<B>(key)?.currentState() ?: QueryState.idle()
        }

    override fun subscribe(listener: QueryListener<B>): Subscription =
        FlowSubscription.subscribe(state, runtime, WHAT, listener::onState, runtime.dispatchExecutor, firstHere = true)

    override fun subscribe(listener: QueryListener<B>, executor: Executor): Subscription =
        FlowSubscription.subscribe(state, runtime, WHAT, listener::onState, executor, firstHere = false)

    override suspend fun refetch(): QueryState<B> {
        val firstState = first.refetch()
        val observer = follow(firstState) ?: return waiting(firstState)
        return observer.refetch()
    }

    /**
     * The second observer for the first's [state]: made from `then(data)` on the first data,
     * moved to `then(newData)` when the data changes (by `equals`). A [then] that throws is logged
     * (once per data) and leaves the second observer as it was.
     */
    private fun follow(state: QueryState<A>): QueryObserverImpl<B, B>? = synchronized(lock) {
        val current = second.value
        if (!state.hasData || (basedOn !== NONE && basedOn == state.data)) return@synchronized current
        basedOn = state.data // a failing function is tried again only for new data
        @Suppress("UNCHECKED_CAST") // hasData: data is an A, even when A is nullable
        val options = try {
            then(state.data as A)
        } catch (e: Exception) {
            runtime.logFailure("the options function of a dependent observer", e)
            return@synchronized current
        }
        if (current == null) {
            QueryObserverImpl<B, B>(engine, options, null, keepPreviousData).also { second.value = it }
        } else {
            current.setOptions(options)
            current
        }
    }

    /** What to show while the first query has no data: IDLE, or ERROR with the first's error. */
    private fun waiting(firstState: QueryState<A>): QueryState<B> {
        val idle = QueryState.idle<B>()
        if (firstState.status != QueryStatus.ERROR) return idle
        return idle.copy(
            status = QueryStatus.ERROR,
            error = firstState.error,
            errorUpdatedAt = firstState.errorUpdatedAt,
        )
    }

    private companion object {
        val NONE = Any()
        const val WHAT = "a listener of a dependent observer"
    }
}
