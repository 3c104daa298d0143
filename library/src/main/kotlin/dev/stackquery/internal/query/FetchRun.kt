package dev.stackquery.internal.query

import dev.stackquery.FetchStatus
import dev.stackquery.QueryCacheCallbacks
import dev.stackquery.QueryCancelledException
import dev.stackquery.QueryFunctionContext
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import dev.stackquery.internal.ResolvedOptions
import dev.stackquery.internal.client.RunConditions
import dev.stackquery.internal.failureOf
import dev.stackquery.internal.guardCallback
import dev.stackquery.internal.retry.RetrySchedule
import dev.stackquery.internal.retry.retrying
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.async
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.EmptyCoroutineContext

/**
 * One execution of a query's function, shared by every caller that joined it: made (lazily, not
 * yet started) by [FetchSlot.start] under the query's monitor, started after it is released.
 *
 * The run first waits for the cancelled executions of its key that are still finishing (so a
 * query function never runs twice at once for one key), then, when [hydrate], reads the L2 tier
 * (fresh data there settles the run without calling the function), then calls the query function
 * through the retry loop, and settles the query with the outcome. It runs in the client's scope.
 */
internal class FetchRun<T>(
    private val query: Query<T>,
    private val slot: FetchSlot<T>,
    private val host: QueryHost,
    /** The state this run replaced: what cancelling it reverts to. */
    private val before: QueryState<T>,
    val options: ResolvedOptions<T>,
    hydrate: Boolean,
    /** The page this run loads, for an infinite query; `null`: every page (or a plain query). */
    val direction: PageDirection? = null,
) {
    private val runtime = host.runtime
    private val stats = runtime.stats

    /** Set when the query is invalidated while this run is in flight: its result settles stale. */
    var invalidated = false // guarded by the query's monitor

    /** Set when data was written while this run was in flight: cancelling it keeps that data. */
    private var dataWritten = false // guarded by the query's monitor

    /**
     * True while nobody wants this run's result (no observer, no caller waiting): it makes no
     * further attempt, and a wait between attempts ends now. See [Query.stopRetriesIfUnwanted].
     */
    private val retriesStopped = MutableStateFlow(false)

    /** Under the query's monitor: no further attempts, unless [continueRetries] comes first. */
    fun stopRetries() {
        retriesStopped.value = true
    }

    /** Someone wants the result again (an observer attached, a caller joined): retry as the policy says. */
    fun continueRetries() {
        retriesStopped.value = false
    }

    /** Completed once this run has read the L2 tier; `null` when it does not read it. */
    val hydration: CompletableDeferred<Unit>? = if (hydrate) CompletableDeferred() else null

    val job: Deferred<T>

    init {
        val previous = host.drains.of(query.key)
        val context = runtime.client?.let { QueryFunctionContext(query.key, options.options.meta, it, direction) }
        job = runtime.scope.async(context ?: EmptyCoroutineContext, start = CoroutineStart.LAZY) {
            if (previous.isNotEmpty()) {
                // Cancelled executions of this key are still finishing: never run two at once.
                withContext(NonCancellable) { previous.forEach { it.join() } }
                ensureActive()
            }
            execute()
        }
    }

    private val started = AtomicBoolean()

    /**
     * Starts the job, once the query has it in flight; a cancellation from outside then abandons
     * the run. Idempotent: a caller that joined the run may call it too.
     */
    fun start() {
        if (!started.compareAndSet(false, true)) return
        job.invokeOnCompletion { cause ->
            hydration?.complete(Unit)
            if (cause != null) slot.onRunCancelled(this)
        }
        job.start()
    }

    /** Under the query's monitor: data was written while this run is in flight. */
    fun dataWritten() {
        invalidated = false
        dataWritten = true
    }

    /** Under the query's monitor: the state to show when this run is abandoned, [current] being the state now. */
    fun revertedState(current: QueryState<T>): QueryState<T> = if (dataWritten) {
        current.copy(fetchStatus = FetchStatus.IDLE)
    } else {
        before.copy(fetchStatus = FetchStatus.IDLE, isInvalidated = current.isInvalidated)
    }

    /** Cancels the job with [cause]; until it has stopped, new runs of the key wait for it. */
    fun cancel(cause: QueryCancelledException) {
        job.cancel(cause)
        if (!job.isCompleted) host.drains.add(query.key, job)
    }

    private suspend fun execute(): T {
        hydration?.let { gate ->
            try {
                val persisted = host.l2?.let { l2 -> options.options.codec?.let { l2.read(query.key, it) } }
                if (slot.applyHydration(this, persisted)) return persisted!!.data
            } finally {
                gate.complete(Unit)
            }
            currentCoroutineContext().ensureActive()
        }
        if (!awaitTurn(first = true)) {
            currentCoroutineContext().ensureActive() // abandoned by turn(): the job is cancelled
            throw CancellationException("fetch dropped") // abandoned by something else meanwhile: as good as cancelled
        }
        stats.fetches.increment()
        val schedule = RetrySchedule.of(options.retry, options.retryPolicy) {
            runtime.logFailure("retry policy of ${query.key}", it)
        }
        val data = retrying(
            schedule,
            failure = { failureOf(it, "the query function of ${query.key}") },
            onRetry = { failures, e ->
                slot.updateWhileRunning(this) { it.copy(failureCount = failures, failureReason = e) }
                stats.retries.increment()
            },
            giveUp = { failures, e -> fail(failures, e) },
            sleep = { waitMillis ->
                pause(waitMillis)
                if (!retriesStopped.value && !awaitTurn(first = false)) unwanted = true
            },
            stopped = { retriesStopped.value || unwanted },
        ) { query.share(query.state, options.options.queryFn(), options.options) }
        val settled = slot.settle(this, persist = true) {
            val next = it.withData(data, runtime.clock.nowMillis(), FetchStatus.IDLE)
            if (invalidated) next.copy(isInvalidated = true) else next
        }
        if (settled) {
            val cache = runtime.config.queryCacheCallbacks
            val snapshot = if (cache === QueryCacheCallbacks.NONE) null else query.snapshot(evenIfRemoved = true)
            if (snapshot != null) callback("the client's onSuccess") { cache.onSuccess?.invoke(data, snapshot) }
            callback("onSuccess") { options.options.onSuccess?.invoke(data) }
            if (snapshot != null) callback("the client's onSettled") { cache.onSettled?.invoke(data, null, snapshot) }
            callback("onSettled") { options.options.onSettled?.invoke(data, null) }
        }
        return data
    }

    /** Set when a retry found nobody wanting this run while it had to pause: it gives up. */
    private var unwanted = false

    /**
     * Waits until the focus and network conditions let the next attempt (the [first], or a retry)
     * run, `PAUSED` meanwhile (see [FetchSlot.turn]); false when nobody wants the run any more.
     */
    private suspend fun awaitTurn(first: Boolean): Boolean {
        val conditions = runtime.conditions
        val mode = options.networkMode
        val ready: (RunConditions.Snapshot) -> Boolean =
            if (first) { now -> now.canStart(mode) } else { now -> now.canContinue(mode) }
        // The usual case, without the monitor: free to go, and not shown paused (only this run pauses itself).
        if (ready(conditions.now) && query.state.fetchStatus != FetchStatus.PAUSED) return true
        while (true) {
            when (slot.turn(this, ready(conditions.now), first)) {
                FetchSlot.Turn.RUN -> return true
                FetchSlot.Turn.DROP -> return false
                FetchSlot.Turn.WAIT -> conditions.await(ready, retriesStopped) // then decide again
            }
        }
    }

    /**
     * The wait before the next attempt: [waitMillis], cut short when the retries are stopped. A
     * stop undone before this run noticed it (an observer came back) waits out the rest, as far
     * as the client's clock can tell.
     */
    private suspend fun pause(waitMillis: Long) {
        var remaining = waitMillis
        while (remaining > 0) {
            val start = runtime.clock.nowMillis()
            val woken = withTimeoutOrNull(remaining) { retriesStopped.first { it } } != null
            if (!woken || retriesStopped.value) return
            remaining -= (runtime.clock.nowMillis() - start).coerceAtLeast(0)
        }
    }

    private fun fail(failures: Int, e: Throwable): Nothing {
        stats.fetchFailures.increment()
        val now = runtime.clock.nowMillis()
        val settled = slot.settle(this) {
            it.copy(
                status = QueryStatus.ERROR,
                fetchStatus = FetchStatus.IDLE,
                error = e,
                errorUpdatedAt = now,
                failureCount = failures,
                failureReason = e,
                errorUpdateCount = it.errorUpdateCount + 1,
            )
        }
        if (settled) {
            val cache = runtime.config.queryCacheCallbacks
            val snapshot = if (cache === QueryCacheCallbacks.NONE) null else query.snapshot(evenIfRemoved = true)
            if (snapshot != null) callback("the client's onError") { cache.onError?.invoke(e, snapshot) }
            callback("onError") { options.options.onError?.invoke(e) }
            if (snapshot != null) callback("the client's onSettled") { cache.onSettled?.invoke(null, e, snapshot) }
            callback("onSettled") { options.options.onSettled?.invoke(null, e) }
        }
        throw e
    }

    private inline fun callback(name: String, block: () -> Unit) =
        guardCallback(block) { runtime.logFailure("$name callback of ${query.key}", it) }
}

/**
 * The state a fetch starts in: the data kept (or PENDING without any), [fetchStatus] (`FETCHING`,
 * or `PAUSED` when it may not start yet), failures cleared.
 */
internal fun <T> QueryState<T>.fetching(fetchStatus: FetchStatus = FetchStatus.FETCHING): QueryState<T> = if (hasData) {
    copy(fetchStatus = fetchStatus, failureCount = 0, failureReason = null)
} else {
    copy(
        status = QueryStatus.PENDING,
        fetchStatus = fetchStatus,
        error = null,
        failureCount = 0,
        failureReason = null,
    )
}
