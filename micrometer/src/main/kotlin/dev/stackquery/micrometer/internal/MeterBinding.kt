package dev.stackquery.micrometer.internal

import dev.stackquery.FetchReason
import dev.stackquery.FetchStatus
import dev.stackquery.QueryClient
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.micrometer.StackQueryMetricsOptions
import dev.stackquery.storage.StorageStats
import dev.stackquery.storage.TierStats
import dev.stackquery.storage.TieredStorage
import io.micrometer.core.instrument.FunctionCounter
import io.micrometer.core.instrument.FunctionTimer
import io.micrometer.core.instrument.Gauge
import io.micrometer.core.instrument.Meter
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.Timer
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import org.slf4j.LoggerFactory
import java.util.Locale
import java.util.concurrent.TimeUnit

/**
 * The meters of one client in one registry: counters and gauges polled from the client at each
 * scrape, and the fetch-duration timers fed by an event collector. [close] stops the collector
 * and removes every meter it registered; a meter the collector would register afterwards is not.
 */
internal class MeterBinding(
    private val client: QueryClient,
    val registry: MeterRegistry,
    private val options: StackQueryMetricsOptions,
) {
    private val lock = Any()
    private val meters = ArrayList<Meter>() // guarded by lock
    private var closed = false // guarded by lock
    private var collector: Job? = null // guarded by lock

    private val clock = registry.config().clock()
    private val keyTags = if (options.keyTagSegments > 0) {
        KeyTagValues(options.keyTagSegments, options.maxKeyTagValues)
    } else {
        null
    }
    private val timers = HashMap<TimerId, Timer>() // the collector's only
    private val timings = FetchTimings(clock::monotonicTime, ::recordFetch)

    private data class TimerId(val reason: FetchReason, val outcome: String, val key: String?)

    /** Registers the polled meters, then starts timing fetches in [scope] (subscribed before it returns). */
    fun start(scope: CoroutineScope) {
        registerQueryMeters()
        if (client.storageStats() != null) registerStorageMeters()
        (client.config.storage as? TieredStorage)?.let(::registerTierMeters)
        val job = scope.launch(start = CoroutineStart.UNDISPATCHED) {
            client.events.collect { event ->
                try {
                    timings.handle(event)
                } catch (e: Exception) {
                    log.warn("stackquery-micrometer: could not time {}", event, e)
                }
            }
        }
        val stillOpen = synchronized(lock) { if (!closed) collector = job; !closed }
        if (!stillOpen) job.cancel()
    }

    /** Stops the collector and removes the meters; idempotent. */
    fun close() {
        val (job, registered) = synchronized(lock) {
            closed = true
            val registered = meters.toList()
            meters.clear()
            collector to registered
        }
        job?.cancel()
        for (meter in registered) registry.remove(meter)
    }

    private fun <M : Meter> keep(register: () -> M): M? = synchronized(lock) {
        if (closed) null else register().also { meters += it }
    }

    private fun registerQueryMeters() {
        requests("hit") { it.stats().hits }
        requests("stale") { it.stats().staleHits }
        requests("miss") { it.stats().misses }
        counter(FETCHES, "Query function executions started (first attempts)") { it.stats().fetches }
        counter(FETCH_FAILURES, "Fetches that failed after all their attempts") { it.stats().fetchFailures }
        counter(FETCH_JOINS, "Fetch requests that joined a fetch in flight (deduplicated)") { it.stats().dedupJoins }
        counter(FETCH_RETRIES, "Attempts made after a failed attempt") { it.stats().retries }
        counter(EVICTIONS, "Inactive queries evicted because the cache exceeded cacheMaxSize") { it.stats().evictions }
        counter(GC_REMOVALS, "Inactive queries removed after their gcTime") { it.stats().gcRemovals }
        for (reason in FetchReason.entries) {
            counter(FETCHES_STARTED, "Fetches started, by why they started", "reason", reason.name.lowercase()) {
                it.stats().fetchesByReason[reason] ?: 0L
            }
        }
        gauge(QUERIES, "Queries in memory") { it.queryCount() }
        gauge(QUERIES_ACTIVE, "Queries with at least one observer") { it.queryCount(ACTIVE) }
        gauge(FETCHES_ACTIVE, "Queries with a fetch in flight") { it.isFetching() }
        gauge(FETCHES_PAUSED, "Queries whose fetch waits for the network (or, before a retry, for focus)") {
            it.queryCount(PAUSED)
        }
    }

    private fun registerStorageMeters() {
        storageRequests("hit") { it.hits }
        storageRequests("stale") { it.staleHits }
        storageRequests("miss") { it.misses }
        storageRequests("corrupt") { it.corrupt }
        storageRequests("pending") { it.pendingHits }
        storageCounter(STORAGE_WRITES, "Entries written to the storage") { it.writes }
        storageCounter(STORAGE_WRITES_DROPPED, "Writes given up") { it.writesDropped }
        storageCounter(STORAGE_DELETES, "Deletions sent to the storage") { it.deletes }
        storageCounter(STORAGE_ERRORS, "Storage operations that timed out", "cause", "timeout") { it.timeouts }
        storageCounter(STORAGE_ERRORS, "Storage operations that failed", "cause", "failure") { it.errors - it.timeouts }
        storageCounter(STORAGE_SKIPPED, "Storage operations skipped while the circuit breaker was open") { it.skipped }
        keep {
            FunctionTimer.builder(
                STORAGE_READ_DURATION,
                client,
                { it.storageStats()?.reads ?: 0L },
                { it.storageStats()?.totalReadNanos?.toDouble() ?: 0.0 },
                TimeUnit.NANOSECONDS,
            ).description("Storage reads completed (found, missing or corrupt) and their wall time")
                .tags(options.tags).register(registry)
        }
        gauge(STORAGE_WRITES_PENDING, "Writes and deletions waiting for the background writer") {
            it.storageStats()?.pendingWrites ?: 0
        }
        gauge(STORAGE_CIRCUIT_OPEN, "1 while the circuit breaker is open (the storage is skipped), else 0") {
            if (it.storageStats()?.circuitOpen == true) 1 else 0
        }
    }

    private fun registerTierMeters(tiered: TieredStorage) {
        for (index in tiered.tiers.indices) {
            tierCounter(tiered, index, STORAGE_TIER_REQUESTS, "Reads this tier answered", "result", "hit") { it.hits }
            tierCounter(tiered, index, STORAGE_TIER_REQUESTS, "Reads this tier did not have", "result", "miss") {
                it.misses
            }
            tierCounter(tiered, index, STORAGE_TIER_ERRORS, "Operations on this tier that threw") { it.errors }
            tierCounter(tiered, index, STORAGE_TIER_WRITES, "Values written to this tier (with backfills)") {
                it.writes
            }
            tierCounter(tiered, index, STORAGE_TIER_BACKFILLS, "Values copied into this tier from a lower one") {
                it.backfills
            }
        }
    }

    private fun requests(result: String, count: (QueryClient) -> Long) =
        counter(REQUESTS, "fetchQuery calls, by what memory held", "result", result, count = count)

    private fun counter(name: String, description: String, vararg tags: String, count: (QueryClient) -> Long) = keep {
        FunctionCounter.builder(name, client) { count(it).toDouble() }
            .description(description).tags(options.tags).tags(*tags).register(registry)
    }

    private fun storageRequests(result: String, count: (StorageStats) -> Long) = storageCounter(
        STORAGE_REQUESTS,
        "Storage lookups of queries with no data, by result",
        "result",
        result,
        count = count,
    )

    private fun storageCounter(name: String, description: String, vararg tags: String, count: (StorageStats) -> Long) =
        counter(name, description, *tags) { client -> client.storageStats()?.let(count) ?: 0L }

    private fun tierCounter(
        tiered: TieredStorage,
        index: Int,
        name: String,
        description: String,
        vararg tags: String,
        count: (TierStats) -> Long,
    ) = keep {
        FunctionCounter.builder(name, tiered) { count(it.stats()[index]).toDouble() }
            .description(description).tags(options.tags).tags(*tags).tag("tier", index.toString())
            .register(registry)
    }

    private fun gauge(name: String, description: String, value: (QueryClient) -> Int) = keep {
        Gauge.builder(name, client) { value(it).toDouble() }.description(description).tags(options.tags)
            .register(registry)
    }

    private fun recordFetch(key: QueryKey, reason: FetchReason, outcome: String, nanos: Long) {
        val id = TimerId(reason, outcome, keyTags?.valueFor(key))
        val timer = timers[id] ?: registerTimer(id)?.also { timers[id] = it } ?: return
        timer.record(nanos, TimeUnit.NANOSECONDS)
    }

    private fun registerTimer(id: TimerId): Timer? = keep {
        val builder = Timer.builder(FETCH_DURATION)
            .description("Fetches from start to settlement, by why they started and how they ended")
            .tags(options.tags)
            .tag("reason", id.reason.name.lowercase(Locale.ROOT))
            .tag("outcome", id.outcome)
            .publishPercentiles(*options.percentiles.toDoubleArray())
            .publishPercentileHistogram(options.percentileHistogram)
            .serviceLevelObjectives(*options.serviceLevelObjectives.toTypedArray())
        if (id.key != null) builder.tag("key", id.key)
        builder.register(registry)
    }

    private companion object {
        val log = LoggerFactory.getLogger(MeterBinding::class.java)
        val ACTIVE = QueryFilter(type = QueryFilter.Type.ACTIVE)
        val PAUSED = QueryFilter(fetchStatus = FetchStatus.PAUSED)

        const val REQUESTS = "stackquery.requests"
        const val FETCHES = "stackquery.fetches"
        const val FETCH_FAILURES = "stackquery.fetch.failures"
        const val FETCH_JOINS = "stackquery.fetch.joins"
        const val FETCH_RETRIES = "stackquery.fetch.retries"
        const val EVICTIONS = "stackquery.evictions"
        const val GC_REMOVALS = "stackquery.gc.removals"
        const val QUERIES = "stackquery.queries"
        const val QUERIES_ACTIVE = "stackquery.queries.active"
        const val FETCHES_ACTIVE = "stackquery.fetches.active"
        const val FETCHES_PAUSED = "stackquery.fetches.paused"
        const val FETCHES_STARTED = "stackquery.fetches.started"
        const val FETCH_DURATION = "stackquery.fetch.duration"
        const val STORAGE_REQUESTS = "stackquery.storage.requests"
        const val STORAGE_WRITES = "stackquery.storage.writes"
        const val STORAGE_WRITES_DROPPED = "stackquery.storage.writes.dropped"
        const val STORAGE_WRITES_PENDING = "stackquery.storage.writes.pending"
        const val STORAGE_DELETES = "stackquery.storage.deletes"
        const val STORAGE_ERRORS = "stackquery.storage.errors"
        const val STORAGE_SKIPPED = "stackquery.storage.skipped"
        const val STORAGE_READ_DURATION = "stackquery.storage.read.duration"
        const val STORAGE_CIRCUIT_OPEN = "stackquery.storage.circuit.open"
        const val STORAGE_TIER_REQUESTS = "stackquery.storage.tier.requests"
        const val STORAGE_TIER_ERRORS = "stackquery.storage.tier.errors"
        const val STORAGE_TIER_WRITES = "stackquery.storage.tier.writes"
        const val STORAGE_TIER_BACKFILLS = "stackquery.storage.tier.backfills"
    }
}
