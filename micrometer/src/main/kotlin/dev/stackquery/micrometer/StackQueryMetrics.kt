package dev.stackquery.micrometer

import dev.stackquery.QueryClient
import dev.stackquery.micrometer.internal.MeterBinding
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.Tag
import io.micrometer.core.instrument.Tags
import io.micrometer.core.instrument.binder.MeterBinder
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel

/**
 * Publishes a [QueryClient]'s metrics to Micrometer: a [MeterBinder] for one client, closed to stop.
 *
 * ```kotlin
 * val metrics = StackQueryMetrics.bind(client, registry, Tags.of("client", "users"))
 * // or, as a MeterBinder (a Spring bean, for example): StackQueryMetrics(client, options).bindTo(registry)
 * metrics.close() // stops timing fetches and removes the meters
 * ```
 * From Java: `StackQueryMetrics metrics = StackQueryMetrics.bind(client, registry, Tags.of("client", "users"));`
 *
 * **What it registers** (README, "Metrics: `stackquery-micrometer`", lists every meter):
 * - function counters over [QueryClient.stats] (`stackquery.requests` by `result`,
 *   `stackquery.fetches`, failures, joins, retries, evictions, gc removals, and
 *   `stackquery.fetches.started` by `reason`), read at each scrape, so they are exact;
 * - gauges of the queries in memory, the active ones, the fetches in flight and the paused ones
 *   ([QueryClient.queryCount], [QueryClient.isFetching]), computed at each scrape;
 * - when the client has a storage, counters, a read-latency function timer and gauges over
 *   [QueryClient.storageStats], and per-tier counters when that storage is a
 *   [dev.stackquery.storage.TieredStorage];
 * - the timer `stackquery.fetch.duration`, tagged `reason` (the [dev.stackquery.FetchReason],
 *   lower case) and `outcome` (`success`, `error` or `cancelled`), and `key` when
 *   [StackQueryMetricsOptions.keyTagSegments] asks for it.
 *
 * **Fetch timings are best-effort.** They come from [QueryClient.events], collected in a
 * coroutine on the client's [dev.stackquery.QueryClientConfig.coroutineContext] that this object
 * owns (a child of that context's `Job`, if any); it subscribes before [bindTo] returns, so every
 * fetch starting afterwards is seen. A fetch is timed from the moment its start event is handled
 * to the moment its settlement is handled, on the registry's clock (`registry.config().clock()`).
 * The event buffer drops the oldest events when the collector falls more than 1024 behind: the
 * fetches whose events were lost are not timed. The counters never depend on events.
 *
 * **Closing.** [close] cancels the collector and removes every meter this object registered, in
 * every registry it was bound to, as Micrometer's closeable binders do (`KafkaClientMetrics`), so
 * the same client, or a new one, can be bound again under the same names. Closing the client does
 * not close this object: its counters keep their last values until it is closed. Idempotent.
 *
 * **Threads.** [bindTo] and [close] may be called from any thread. Meters hold the client weakly,
 * as Micrometer's function meters do; this object holds it strongly until closed.
 *
 * @param client the client to measure.
 * @param options common tags, timer distribution and key tags; default [StackQueryMetricsOptions.DEFAULT].
 */
public class StackQueryMetrics @JvmOverloads constructor(
    public val client: QueryClient,
    public val options: StackQueryMetricsOptions = StackQueryMetricsOptions.DEFAULT,
) : MeterBinder, AutoCloseable {
    private val lock = Any()
    private val bindings = ArrayList<MeterBinding>() // guarded by lock
    private var closed = false // guarded by lock
    private val scope = client.config.coroutineContext.let { context ->
        CoroutineScope(context + SupervisorJob(context[Job]) + CoroutineName("stackquery-metrics"))
    }

    /**
     * Registers the client's meters in [registry] and starts timing its fetches. May be called
     * for several registries (each gets its own meters and timings).
     *
     * @throws IllegalArgumentException when this object is already bound to [registry] (its
     *   meters exist there; Micrometer would hand the same ones back).
     * @throws IllegalStateException after [close].
     */
    override fun bindTo(registry: MeterRegistry) {
        val binding = MeterBinding(client, registry, options)
        synchronized(lock) {
            check(!closed) { "StackQueryMetrics is closed: create a new one to bind again" }
            require(bindings.none { it.registry === registry }) {
                "StackQueryMetrics is already bound to this registry: $registry"
            }
            bindings += binding
        }
        binding.start(scope)
    }

    /** Stops timing fetches and removes every meter registered by [bindTo]. Idempotent. */
    override fun close() {
        val bound = synchronized(lock) {
            closed = true
            bindings.toList().also { bindings.clear() }
        }
        for (binding in bound) binding.close()
        scope.cancel()
    }

    override fun toString(): String = "StackQueryMetrics(options=$options)"

    public companion object {
        /**
         * Binds [client]'s meters to [registry], each tagged with [tags], and returns the binder
         * (close it to stop). The same as `StackQueryMetrics(client, StackQueryMetricsOptions(tags)).bindTo(registry)`.
         */
        @JvmStatic
        @JvmOverloads
        public fun bind(
            client: QueryClient,
            registry: MeterRegistry,
            tags: Iterable<Tag> = Tags.empty(),
        ): StackQueryMetrics = bind(client, registry, StackQueryMetricsOptions(tags))

        /** Binds [client]'s meters to [registry] with [options], and returns the binder (close it to stop). */
        @JvmStatic
        public fun bind(
            client: QueryClient,
            registry: MeterRegistry,
            options: StackQueryMetricsOptions,
        ): StackQueryMetrics = StackQueryMetrics(client, options).also { it.bindTo(registry) }
    }
}
