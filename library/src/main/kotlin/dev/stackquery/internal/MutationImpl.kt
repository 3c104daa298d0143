package dev.stackquery.internal

import dev.stackquery.Mutation
import dev.stackquery.MutationListener
import dev.stackquery.MutationOptions
import dev.stackquery.MutationState
import dev.stackquery.MutationStatus
import dev.stackquery.QueryClient
import dev.stackquery.Subscription
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.withLock
import java.util.concurrent.atomic.AtomicLong

/** The [Mutation] behind [QueryClient.mutation]. See [MutationOptions] for the order of a run. */
internal class MutationImpl<D, V, C>(
    private val client: QueryClient,
    private val options: MutationOptions<D, V, C>,
) : Mutation<D, V> {
    private val cache = client.cache
    private val flow = MutableStateFlow(MutationState.idle<D, V>())
    private val latestRun = AtomicLong()

    override val state: StateFlow<MutationState<D, V>> = flow.asStateFlow()

    override suspend fun mutate(variables: V): D {
        cache.checkOpen()
        val run = latestRun.incrementAndGet()
        val submittedAt = cache.clock.nowMillis()
        update(run) { MutationState(MutationStatus.PENDING, null, null, variables, submittedAt, 0, 0) }
        val execution = cache.scope.async { execute(run, variables) }
        execution.invokeOnCompletion { cause ->
            // Cancelled before it could settle itself (the client closed as it started): never stay PENDING.
            if (cause != null) update(run) { if (it.isPending) it.settledWith(cause, cache.clock.nowMillis()) else it }
        }
        return execution.await()
    }

    override fun subscribe(listener: MutationListener<D, V>): Subscription {
        val job = cache.scope.launch(start = CoroutineStart.UNDISPATCHED) {
            flow.collect { state ->
                try {
                    listener.onState(state)
                } catch (e: Throwable) {
                    if (e is VirtualMachineError) throw e
                    cache.logFailure("a mutation listener", e)
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
        latestRun.incrementAndGet()
        flow.value = MutationState.idle()
    }

    private suspend fun execute(run: Long, variables: V): D {
        val token = cache.mutationStarted(options.mutationKey)
        try {
            val scope = options.scope
            return if (scope == null) attempt(run, variables) else cache.mutationScope(scope).withLock { attempt(run, variables) }
        } finally {
            cache.mutationEnded(token)
        }
    }

    private suspend fun attempt(run: Long, variables: V): D {
        var context: C? = null
        val failures = IntArray(1)
        val result = try {
            options.onMutate?.let { context = it(variables) }
            withRetries(run, variables, failures)
        } catch (e: Throwable) {
            if (currentCoroutineContext().isActive) { // not a cancellation of this run
                guard("onError") { options.onError?.invoke(e, variables, context) }
                guard("onSettled") { options.onSettled?.invoke(null, e, variables, context) }
            }
            val now = cache.clock.nowMillis()
            update(run) { it.copy(failureCount = failures[0]).settledWith(e, now) }
            throw e
        }
        guard("onSuccess") { options.onSuccess?.invoke(result, variables, context) }
        for (prefix in options.invalidates) client.invalidateQueries(prefix)
        guard("onSettled") { options.onSettled?.invoke(result, null, variables, context) }
        val now = cache.clock.nowMillis()
        update(run) { MutationState(MutationStatus.SUCCESS, result, null, variables, it.submittedAt, now, failures[0]) }
        return result
    }

    /** The mutation function, retried as the options say; counts failed attempts in `failures[0]`. */
    private suspend fun withRetries(run: Long, variables: V, failures: IntArray): D {
        val policy = options.retryPolicy ?: cache.config.retryPolicy
        while (true) {
            try {
                return options.mutationFn(variables)
            } catch (thrown: Throwable) {
                val e = failureOf(thrown, "the mutation function")
                val failed = ++failures[0]
                if (failed > options.retry || !policy.shouldRetry(failed, e)) throw e
                update(run) { it.copy(failureCount = failed) }
                delay(policy.delayMillis(failed, e).coerceAtLeast(0))
            }
        }
    }

    /** Applies [change] if [run] is still the latest run (last wins). */
    private inline fun update(run: Long, crossinline change: (MutationState<D, V>) -> MutationState<D, V>) {
        flow.update { current -> if (latestRun.get() == run) change(current) else current }
    }

    private inline fun guard(callback: String, block: () -> Unit) {
        try {
            block()
        } catch (e: Throwable) {
            if (e is VirtualMachineError) throw e
            if (e is CancellationException) throw e
            cache.logFailure("$callback callback of a mutation", e)
        }
    }

    private fun MutationState<D, V>.settledWith(error: Throwable, now: Long): MutationState<D, V> =
        MutationState(MutationStatus.ERROR, null, error, variables, submittedAt, now, failureCount)

    private fun MutationState<D, V>.copy(failureCount: Int): MutationState<D, V> =
        MutationState(status, data, error, variables, submittedAt, settledAt, failureCount)
}
