package dev.stackquery.internal.mutation

import dev.stackquery.Mutation
import dev.stackquery.MutationListener
import dev.stackquery.MutationOptions
import dev.stackquery.MutationState
import dev.stackquery.MutationStatus
import dev.stackquery.QueryFilter
import dev.stackquery.Subscription
import dev.stackquery.internal.client.ClientEngine
import dev.stackquery.internal.client.RunConditions
import dev.stackquery.internal.client.listen
import dev.stackquery.internal.failureOf
import dev.stackquery.internal.retry.RetrySchedule
import dev.stackquery.internal.retry.retrying
import kotlinx.coroutines.CompletableJob
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.dropWhile
import kotlinx.coroutines.flow.emitAll
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import java.util.concurrent.Executor

/**
 * The [Mutation] behind `QueryClient.mutation`. See [MutationOptions] for the order of a run: each
 * run is a coroutine in the client's scope, waits for the run before it in its scope, and calls
 * the mutation function through the engine's retry loop; the last run submitted owns the state.
 */
internal class MutationImpl<D, V, C>(
    private val engine: ClientEngine,
    private val options: MutationOptions<D, V, C>,
) : Mutation<D, V> {
    private val runtime = engine.runtime
    private val registry = engine.mutations
    private val networkMode = options.networkMode ?: runtime.config.networkMode
    private val flow = MutableStateFlow(MutationState.idle<D, V>())
    private val lock = Any() // orders the latest run, state updates and reset
    private var latest: MutationRecord<D, V>? = null // guarded by lock; null after reset

    override val state: StateFlow<MutationState<D, V>> = flow.asStateFlow()

    override suspend fun mutate(variables: V): D = mutate(variables, null, null, null)

    override suspend fun mutate(
        variables: V,
        onSuccess: (suspend (data: D, variables: V, context: Any?) -> Unit)?,
        onError: (suspend (error: Throwable, variables: V, context: Any?) -> Unit)?,
        onSettled: (suspend (data: D?, error: Throwable?, variables: V, context: Any?) -> Unit)?,
    ): D {
        runtime.checkOpen()
        val submittedAt = runtime.clock.nowMillis()
        val paused = !runtime.conditions.now.canStart(networkMode)
        // The line holds a signal completed when this run ends, not the run's lazy job: joining
        // that would start it, and a run started by the one after it, before it knew the run
        // before it, ran at the same time as that one (found by MutationScopeModelCheckSpec).
        val finished = Job()
        // PENDING, in the cache and counted by isMutating at one point.
        val record = registry.started(
            options,
            MutationState(MutationStatus.PENDING, null, null, variables, submittedAt, 0, 0, isPaused = paused),
            onChange = ::published,
            finished,
            resumesWhen = if (paused) { now -> now.canStart(networkMode) } else null,
        ) { record ->
            synchronized(lock) {
                latest = record
                flow.value = record.state
            }
        }
        val perCall = PerCallCallbacks(onSuccess, onError, onSettled)
        // Take the place in the scope's line now, in submission order, before anything is dispatched.
        val previous = options.scope?.let { registry.enqueue(it, finished) }
        val execution = runtime.scope.async(start = CoroutineStart.LAZY) {
            previous?.join() // the run submitted before this one in the same scope
            attempt(record, variables, perCall, finished)
        }
        execution.invokeOnCompletion { cause ->
            // Cancelled before it could settle itself (the client closed as it started): never stay PENDING.
            if (cause != null) registry.settle(record) { it.settledWith(cause, runtime.clock.nowMillis()) }
            finished.complete()
        }
        execution.start()
        // A run cancelled by the client's closing fails its caller with QueryClientClosedException.
        return engine.closedAware { execution.await() }
    }

    override fun subscribe(listener: MutationListener<D, V>): Subscription =
        runtime.listen(flow, null, "a mutation listener", listener::onState)

    override fun subscribe(listener: MutationListener<D, V>, executor: Executor): Subscription {
        // The state at subscription comes first, through the executor too, even if it changed before the collection started.
        val first = flow.value
        val states = flow { emit(first); emitAll(this@MutationImpl.flow.dropWhile { it === first }) }
        return runtime.listen(states, executor, "a mutation listener", listener::onState, CoroutineStart.DEFAULT)
    }

    override fun reset() {
        synchronized(lock) {
            latest = null
            flow.value = MutationState.idle()
        }
    }

    /** [record] changed: shown if it is still the latest run (last wins). Called under the registry's lock. */
    private fun published(record: MutationRecord<D, V>) {
        synchronized(lock) {
            if (latest === record) flow.value = record.state
        }
    }

    /**
     * Runs [record]: the callbacks, the mutation function, the settling; then, the run having left
     * its scope's line ([finished]), the per-call callbacks, which may so run the next mutation of
     * that scope and wait for it.
     */
    private suspend fun attempt(
        record: MutationRecord<D, V>,
        variables: V,
        perCall: PerCallCallbacks<D, V>,
        finished: CompletableJob,
    ): D {
        val cache = runtime.config.mutationCacheCallbacks
        var context: C? = null
        val failures = IntArray(1)
        val result = try {
            cache.onMutate?.let { guard("the cache's onMutate") { it(variables, record.snapshot()) } }
            options.onMutate?.let { onMutate ->
                context = try {
                    onMutate(variables)
                } catch (thrown: Throwable) {
                    throw failureOf(thrown, "onMutate")
                }
                val returned = context
                if (returned != null) registry.update(record) { it.copy(context = returned) }
            }
            withRetries(record, variables, failures)
        } catch (e: Throwable) {
            val active = currentCoroutineContext().isActive // false: a cancellation of this run
            if (active) {
                cache.onError?.let { guard("the cache's onError") { it(e, variables, context, record.snapshot()) } }
                guard("onError") { options.onError?.invoke(e, variables, context) }
                cache.onSettled?.let {
                    guard("the cache's onSettled") { it(null, e, variables, context, record.snapshot()) }
                }
                guard("onSettled") { options.onSettled?.invoke(null, e, variables, context) }
            }
            val now = runtime.clock.nowMillis()
            registry.settle(record) { it.copy(failureCount = failures[0]).settledWith(e, now) }
            finished.complete()
            if (active) {
                guard("the per-call onError") { perCall.onError?.invoke(e, variables, context) }
                guard("the per-call onSettled") { perCall.onSettled?.invoke(null, e, variables, context) }
            }
            throw e
        }
        cache.onSuccess?.let { guard("the cache's onSuccess") { it(result, variables, context, record.snapshot()) } }
        guard("onSuccess") { options.onSuccess?.invoke(result, variables, context) }
        for (prefix in options.invalidates) engine.operations.invalidate(QueryFilter.prefix(prefix), local = true)
        cache.onSettled?.let {
            guard("the cache's onSettled") { it(result, null, variables, context, record.snapshot()) }
        }
        guard("onSettled") { options.onSettled?.invoke(result, null, variables, context) }
        val now = runtime.clock.nowMillis()
        registry.settle(record) {
            MutationState(
                MutationStatus.SUCCESS, result, null, variables, it.submittedAt, now, failures[0], it.context, null,
            )
        }
        finished.complete()
        guard("the per-call onSuccess") { perCall.onSuccess?.invoke(result, variables, context) }
        guard("the per-call onSettled") { perCall.onSettled?.invoke(result, null, variables, context) }
        return result
    }

    /** The mutation function, retried as the options say; counts failed attempts in `failures[0]`. */
    private suspend fun withRetries(record: MutationRecord<D, V>, variables: V, failures: IntArray): D {
        val policy = options.retryPolicy ?: runtime.config.retryPolicy
        val schedule = RetrySchedule.of(options.retry, policy) { runtime.logFailure("retry policy of a mutation", it) }
        awaitTurn(record, first = true)
        return retrying(
            schedule,
            failure = { thrown -> failureOf(thrown, "the mutation function").also { failures[0]++ } },
            onRetry = { failed, error ->
                registry.update(record) { it.copy(failureCount = failed, failureReason = error) }
            },
            giveUp = { _, e -> throw e },
            sleep = { waitMillis ->
                delay(waitMillis)
                awaitTurn(record, first = false)
            },
        ) { options.mutationFn(variables) }
    }

    /**
     * Waits until the focus and network conditions let the next attempt (the [first], or a retry)
     * run, [record] shown paused meanwhile ([MutationState.isPaused]). A mutation run is never
     * dropped: it waits as long as it takes, or until it is cancelled (the client closing).
     */
    private suspend fun awaitTurn(record: MutationRecord<D, V>, first: Boolean) {
        val conditions = runtime.conditions
        val mode = networkMode
        val ready: (RunConditions.Snapshot) -> Boolean =
            if (first) { now -> now.canStart(mode) } else { now -> now.canContinue(mode) }
        if (!ready(conditions.now)) {
            record.resumesWhen = ready
            if (!record.state.isPaused) registry.update(record) { it.copy(isPaused = true) }
            conditions.await(ready)
        }
        record.resumesWhen = null
        if (record.state.isPaused) registry.update(record) { it.copy(isPaused = false) }
    }

    /** Runs a callback; its exceptions are logged (our own cancellation aside) and change nothing. */
    private suspend inline fun guard(callback: String, block: () -> Unit) {
        try {
            block()
        } catch (e: Throwable) {
            if (e is VirtualMachineError) throw e
            currentCoroutineContext().ensureActive()
            runtime.logFailure("$callback callback of a mutation", e)
        }
    }

    private fun MutationState<D, V>.settledWith(error: Throwable, now: Long): MutationState<D, V> =
        MutationState(MutationStatus.ERROR, null, error, variables, submittedAt, now, failureCount, context, error)

    private fun MutationState<D, V>.copy(
        failureCount: Int = this.failureCount,
        context: Any? = this.context,
        failureReason: Throwable? = this.failureReason,
        isPaused: Boolean = this.isPaused,
    ): MutationState<D, V> = MutationState(
        status, data, error, variables, submittedAt, settledAt, failureCount, context, failureReason, isPaused,
    )
}

/** The callbacks of one `mutate` call (TanStack's `mutate(variables, { onSuccess, onError, onSettled })`). */
private class PerCallCallbacks<D, V>(
    val onSuccess: (suspend (D, V, Any?) -> Unit)?,
    val onError: (suspend (Throwable, V, Any?) -> Unit)?,
    val onSettled: (suspend (D?, Throwable?, V, Any?) -> Unit)?,
)
