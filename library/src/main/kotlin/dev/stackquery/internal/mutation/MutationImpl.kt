package dev.stackquery.internal.mutation

import dev.stackquery.Mutation
import dev.stackquery.MutationListener
import dev.stackquery.MutationOptions
import dev.stackquery.MutationState
import dev.stackquery.MutationStatus
import dev.stackquery.QueryFilter
import dev.stackquery.Subscription
import dev.stackquery.internal.client.ClientEngine
import dev.stackquery.internal.failureOf
import dev.stackquery.internal.retry.RetrySchedule
import dev.stackquery.internal.retry.retrying
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch

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
    private val flow = MutableStateFlow(MutationState.idle<D, V>())
    private val lock = Any() // orders run numbers, state updates and reset
    private var latestRun = 0L // guarded by lock

    override val state: StateFlow<MutationState<D, V>> = flow.asStateFlow()

    override suspend fun mutate(variables: V): D {
        runtime.checkOpen()
        val submittedAt = runtime.clock.nowMillis()
        var run = 0L
        // PENDING and counted by isMutating at one point.
        val token = registry.started(options.mutationKey) {
            run = synchronized(lock) {
                flow.value = MutationState(MutationStatus.PENDING, null, null, variables, submittedAt, 0, 0)
                ++latestRun
            }
        }
        // Take the place in the scope's line now, in submission order, before anything is dispatched.
        // The line holds a signal completed when this run ends, not the run's lazy job: joining
        // that would start it, and a run started by the one after it, before it knew the run
        // before it, ran at the same time as that one (found by MutationScopeModelCheckSpec).
        val finished = Job()
        val previous = options.scope?.let { registry.enqueue(it, finished) }
        val execution = runtime.scope.async(start = CoroutineStart.LAZY) {
            previous?.join() // the run submitted before this one in the same scope
            attempt(run, token, variables)
        }
        execution.invokeOnCompletion { cause ->
            // Cancelled before it could settle itself (the client closed as it started): never stay PENDING.
            registry.ended(token) {
                if (cause != null) {
                    update(run) { if (it.isPending) it.settledWith(cause, runtime.clock.nowMillis()) else it }
                }
            }
            finished.complete()
        }
        execution.start()
        return execution.await()
    }

    override fun subscribe(listener: MutationListener<D, V>): Subscription {
        val job = runtime.scope.launch(start = CoroutineStart.UNDISPATCHED) {
            flow.collect { state ->
                try {
                    listener.onState(state)
                } catch (e: Throwable) {
                    if (e is VirtualMachineError) throw e
                    runtime.logFailure("a mutation listener", e)
                }
            }
        }
        return object : Subscription {
            override val isSubscribed: Boolean get() = job.isActive

            override fun unsubscribe() {
                job.cancel()
            }
        }
    }

    override fun reset() {
        synchronized(lock) {
            latestRun++
            flow.value = MutationState.idle()
        }
    }

    private suspend fun attempt(run: Long, token: Long, variables: V): D {
        var context: C? = null
        val failures = IntArray(1)
        val result = try {
            options.onMutate?.let { onMutate ->
                context = try {
                    onMutate(variables)
                } catch (thrown: Throwable) {
                    throw failureOf(thrown, "onMutate")
                }
            }
            withRetries(run, variables, failures)
        } catch (e: Throwable) {
            if (currentCoroutineContext().isActive) { // not a cancellation of this run
                guard("onError") { options.onError?.invoke(e, variables, context) }
                guard("onSettled") { options.onSettled?.invoke(null, e, variables, context) }
            }
            val now = runtime.clock.nowMillis()
            registry.ended(token) { update(run) { it.copy(failureCount = failures[0]).settledWith(e, now) } }
            throw e
        }
        guard("onSuccess") { options.onSuccess?.invoke(result, variables, context) }
        for (prefix in options.invalidates) engine.operations.invalidate(QueryFilter.prefix(prefix), local = true)
        guard("onSettled") { options.onSettled?.invoke(result, null, variables, context) }
        val now = runtime.clock.nowMillis()
        registry.ended(token) {
            update(run) {
                MutationState(MutationStatus.SUCCESS, result, null, variables, it.submittedAt, now, failures[0])
            }
        }
        return result
    }

    /** The mutation function, retried as the options say; counts failed attempts in `failures[0]`. */
    private suspend fun withRetries(run: Long, variables: V, failures: IntArray): D {
        val policy = options.retryPolicy ?: runtime.config.retryPolicy
        val schedule = RetrySchedule.of(options.retry, policy) { runtime.logFailure("retry policy of a mutation", it) }
        return retrying(
            schedule,
            failure = { thrown -> failureOf(thrown, "the mutation function").also { failures[0]++ } },
            onRetry = { failed, _ -> update(run) { it.copy(failureCount = failed) } },
            giveUp = { _, e -> throw e },
        ) { options.mutationFn(variables) }
    }

    /** Applies [change] if [run] is still the latest run (last wins). */
    private inline fun update(run: Long, change: (MutationState<D, V>) -> MutationState<D, V>) {
        synchronized(lock) {
            if (latestRun == run) flow.value = change(flow.value)
        }
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
        MutationState(MutationStatus.ERROR, null, error, variables, submittedAt, now, failureCount)

    private fun MutationState<D, V>.copy(failureCount: Int): MutationState<D, V> =
        MutationState(status, data, error, variables, submittedAt, settledAt, failureCount)
}
