package dev.stackquery.internal.observer

import dev.stackquery.CombinedQueryObserver
import dev.stackquery.QueryObserver
import dev.stackquery.QueryState
import dev.stackquery.StructuralSharing
import dev.stackquery.Subscription
import dev.stackquery.internal.client.ClientRuntime
import kotlinx.coroutines.ExperimentalForInheritanceCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.FlowCollector
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.distinctUntilChanged
import java.util.concurrent.Executor
import java.util.function.Consumer

/**
 * The observer behind [dev.stackquery.QueryClient.watchAll]: collecting its [state] collects every
 * child's state (so they attach and detach together) and emits `combine(states)` when it changes.
 * The combined value is memoized on the identity of the child states and structurally shared with
 * the previous value, so an unchanged combination is neither recomputed nor emitted.
 */
internal class CombinedQueryObserverImpl<T, R>(
    private val runtime: ClientRuntime,
    private val children: List<QueryObserver<T>>,
    private val combine: (List<QueryState<T>>) -> R,
) : CombinedQueryObserver<R> {
    /** The last combination: the child states it was made of and its value; replaced whole. */
    private class Memo<T, R>(val states: List<QueryState<T>>, val value: R)

    @Volatile
    private var memo: Memo<T, R>? = null

    override val observers: List<QueryObserver<*>> get() = children

    @OptIn(ExperimentalForInheritanceCoroutinesApi::class)
    override val state: StateFlow<R> = object : StateFlow<R> {
        override val value: R get() = current
        override val replayCache: List<R> get() = listOf(value)

        override suspend fun collect(collector: FlowCollector<R>): Nothing {
            combine(children.map { it.state }) { states -> combined(states.asList()) }
                .distinctUntilChanged()
                .collect(collector)
            error("the states of observers never complete")
        }
    }

    override val current: R get() = combined(children.map { it.current })

    override fun subscribe(listener: Consumer<in R>): Subscription =
        FlowSubscription.subscribe(state, runtime, WHAT, listener::accept, runtime.dispatchExecutor, firstHere = true)

    override fun subscribe(listener: Consumer<in R>, executor: Executor): Subscription =
        FlowSubscription.subscribe(state, runtime, WHAT, listener::accept, executor, firstHere = false)

    override suspend fun refetch(): R {
        coroutineScope { children.map { async { it.refetch() } }.awaitAll() }
        return current
    }

    /** `combine(states)`, unless [states] are the very states of the last combination; shared with the last value. */
    private fun combined(states: List<QueryState<T>>): R {
        val last = memo
        if (last != null && last.states.size == states.size &&
            last.states.indices.all { last.states[it] === states[it] }
        ) {
            return last.value
        }
        val next = combine(states)
        val value = if (last == null) next else StructuralSharing.replaceEqualDeep(last.value, next)
        memo = Memo(states, value)
        return value
    }

    private companion object {
        const val WHAT = "a listener of a combined observer"
    }
}
