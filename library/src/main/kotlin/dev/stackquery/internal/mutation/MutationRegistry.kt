package dev.stackquery.internal.mutation

import dev.stackquery.MutationCacheEvent
import dev.stackquery.MutationCacheEvent.RemovalCause
import dev.stackquery.MutationFilter
import dev.stackquery.MutationOptions
import dev.stackquery.MutationRun
import dev.stackquery.MutationState
import dev.stackquery.MutationStatus
import dev.stackquery.QueryKey
import dev.stackquery.internal.client.ClientRuntime
import dev.stackquery.internal.client.RunConditions
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import java.util.concurrent.ConcurrentHashMap

/**
 * A client's mutation cache: every run submitted and not yet removed (for `mutations(filter)` and
 * `isMutating`), in submission order, and the line of each mutation scope (runs of one scope
 * execute one after another, in submission order). Scopes with nothing in progress take no memory.
 *
 * Every change of a run's state is made here under one lock, which also publishes it to the run's
 * `Mutation` and emits its [MutationCacheEvent]: no reader sees a run PENDING and not counted, or
 * settled and still counted, and the events of a run come in the order of its changes.
 *
 * A settled run is removed its `gcTime` after it settled (one delayed coroutine per settled run
 * with a finite `gcTime`; mutation runs are few, unlike queries); a run in progress never is.
 */
internal class MutationRegistry(private val runtime: ClientRuntime) {
    private val lock = Any()

    /** The runs in the cache, by id, in submission order; guarded by [lock]. */
    private val runs = LinkedHashMap<Long, MutationRecord<*, *>>()

    /** The runs in progress (PENDING), in submission order, so counting them ignores the settled ones; guarded by [lock]. */
    private val inProgress = LinkedHashMap<Long, MutationRecord<*, *>>()

    /** The next run id: numbers, not identities, so the map is the same in every run of a model check. */
    private var nextId = 0L // guarded by lock

    /** Set by [close]: runs settling afterwards leave the cache at once. Guarded by [lock]. */
    private var closed = false

    /** The completion signal of the last submitted run of each scope that has one in progress. */
    private val tails = ConcurrentHashMap<String, Job>()

    /**
     * Records a new PENDING run of [options] with state [pending] and calls [claim] (its
     * `Mutation` taking it as the latest run) at the same point; emits [MutationCacheEvent.Added].
     */
    fun <D, V> started(
        options: MutationOptions<D, V, *>,
        pending: MutationState<D, V>,
        onChange: (MutationRecord<D, V>) -> Unit,
        finished: Job,
        resumesWhen: ((RunConditions.Snapshot) -> Boolean)?,
        claim: (MutationRecord<D, V>) -> Unit,
    ): MutationRecord<D, V> {
        val gcTimeMillis = if (options.gcTimeMillis >= 0) options.gcTimeMillis else runtime.config.mutationGcTimeMillis
        return synchronized(lock) {
            val record = MutationRecord(
                nextId++,
                options.mutationKey,
                options.meta,
                options.scope,
                gcTimeMillis,
                pending,
                onChange,
                finished,
            )
            record.resumesWhen = resumesWhen
            runs[record.id] = record
            inProgress[record.id] = record
            claim(record)
            runtime.mutationEvents.emit { MutationCacheEvent.Added(record.snapshot()) }
            record
        }
    }

    /** Replaces the state of [record] by `change(state)` while it is PENDING; nothing once it settled. */
    fun <D, V> update(record: MutationRecord<D, V>, change: (MutationState<D, V>) -> MutationState<D, V>) {
        synchronized(lock) {
            if (!record.state.isPending) return
            record.state = change(record.state)
            record.onChange(record)
            if (record.inCache) runtime.mutationEvents.emit { MutationCacheEvent.Updated(record.snapshot()) }
        }
    }

    /**
     * Settles [record] with `settled(state)` (SUCCESS or ERROR) if it is still PENDING (false
     * otherwise) and schedules its removal `gcTime` later.
     */
    fun <D, V> settle(record: MutationRecord<D, V>, settled: (MutationState<D, V>) -> MutationState<D, V>): Boolean {
        val gcDelay = synchronized(lock) {
            if (!record.state.isPending) return false
            record.state = settled(record.state)
            inProgress.remove(record.id)
            record.onChange(record)
            if (!record.inCache) return true
            runtime.mutationEvents.emit { MutationCacheEvent.Updated(record.snapshot()) }
            when {
                closed -> -1L.also { remove(record, RemovalCause.CLOSED) }
                record.gcTimeMillis == 0L -> -1L.also { remove(record, RemovalCause.GC) }
                record.gcTimeMillis == Long.MAX_VALUE -> -1L
                else -> record.gcTimeMillis
            }
        }
        if (gcDelay > 0) {
            val timer = runtime.scope.launch {
                delay(gcDelay)
                synchronized(lock) { remove(record, RemovalCause.GC) }
            }
            // Removed meanwhile (clear, close): the timer must not keep the run in memory until it is up.
            synchronized(lock) {
                if (record.inCache) record.gcTimer = timer else timer.cancel()
            }
        }
        return true
    }

    /**
     * The end signals of the paused runs that the conditions [now] let continue, those still waiting
     * for their scope's turn (or in `onMutate`) included, as TanStack's `resumePausedMutations`.
     */
    fun resumable(now: RunConditions.Snapshot): List<Job> = synchronized(lock) {
        inProgress.values.filter { it.state.isPaused && it.resumesWhen?.invoke(now) == true }.map { it.finished }
    }

    /** Runs in progress whose mutation key starts with [prefix] (`null`: all of them). */
    fun count(prefix: QueryKey?): Int = synchronized(lock) {
        if (prefix == null) inProgress.size else inProgress.values.count { it.mutationKey?.startsWith(prefix) == true }
    }

    /** Runs in progress [filter] selects (its status ignored: PENDING, as TanStack's `isMutating`). */
    fun count(filter: MutationFilter): Int = synchronized(lock) {
        inProgress.values.count { filter.matchesKey(it.mutationKey) && filter.predicate?.test(it.snapshot()) ?: true }
    }

    /** Snapshots of the runs [filter] selects, in submission order. */
    fun snapshot(filter: MutationFilter): List<MutationRun> = synchronized(lock) {
        val selected = ArrayList<MutationRun>()
        for (record in runs.values) {
            if (filter.status != null && record.state.status != filter.status) continue
            if (!filter.matchesKey(record.mutationKey)) continue
            val run = record.snapshot()
            if (filter.predicate?.test(run) != false) selected += run
        }
        selected
    }

    /** Removes every settled run ([cause] EXPLICIT: `clear()`); runs in progress stay. */
    fun removeSettled(cause: RemovalCause) {
        synchronized(lock) {
            for (record in runs.values.toList()) {
                if (record.state.status != MutationStatus.PENDING) remove(record, cause)
            }
        }
    }

    /** The client closed: settled runs leave now, runs in progress as they settle. */
    fun close() {
        synchronized(lock) {
            closed = true
            removeSettled(RemovalCause.CLOSED)
        }
    }

    /** Removes [record] from the cache if it is still there; under [lock]. */
    private fun remove(record: MutationRecord<*, *>, cause: RemovalCause) {
        if (!record.inCache) return
        record.inCache = false
        record.gcTimer?.cancel()
        record.gcTimer = null
        runs.remove(record.id)
        runtime.mutationEvents.emit { MutationCacheEvent.Removed(record.snapshot(), cause) }
    }

    /**
     * Puts a run last in the line of scope [id], as [finished], which completes when the run ends;
     * returns the `finished` of the run before it (which the run waits for), or `null`.
     */
    fun enqueue(id: String, finished: Job): Job? {
        val previous = tails.put(id, finished)
        finished.invokeOnCompletion { tails.remove(id, finished) }
        return previous
    }
}
