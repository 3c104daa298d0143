package dev.stackquery.devtools

import java.time.Duration

/**
 * How [StackQueryDevtools] serves its inspector page: where it listens, whether its actions are
 * allowed, what data it shows and how much history it keeps. Immutable; validated at
 * construction. The defaults are the safe ones: loopback only, a free port, data of queries
 * without a codec hidden.
 *
 * ```kotlin
 * val devtools = StackQueryDevtools.start(client, StackQueryDevtoolsOptions(port = 7070, readOnly = true))
 * ```
 * From Java: `StackQueryDevtoolsOptions.builder().port(7070).readOnly(true).build()`.
 *
 * @property host the address the server binds to; default `127.0.0.1` (loopback only: other
 *   machines cannot connect). Any other address (`0.0.0.0`, a LAN address) exposes the page to
 *   everyone who can reach it and knows the token: only for trusted networks. Must not be blank.
 * @property port the TCP port; default 0, a free port chosen by the system (read it from
 *   [StackQueryDevtools.port]). Must be in `0..65535`.
 * @property readOnly when true the actions (invalidate, refetch, reset, remove) answer
 *   `403 Forbidden` and the page hides their buttons; default false.
 * @property showDataWithoutCodec whether the detail of a query whose options have no codec shows
 *   its data's `toString()`; default false (only "hidden" is shown, since `toString()` of arbitrary
 *   data may reveal secrets). Data of a query with a codec is always shown as the JSON its codec
 *   writes ([dev.stackquery.QueryClient.getQueryDataJson]).
 * @property historySize how many state changes ([dev.stackquery.QueryCacheEvent.Updated]) are kept
 *   per query for its detail, the oldest dropped first; default 20. Must be in `1..1000`. History
 *   is recorded from the start of the devtools on, and dropped when the query leaves the cache.
 * @property notifyInterval the shortest interval between two "changed" notifications sent to an
 *   open page: changes within it are coalesced into one; default 100 ms. Must be in `0..10 s`.
 * @throws IllegalArgumentException naming the field, for a blank host, a port outside
 *   `0..65535`, a history size outside `1..1000` or a notify interval outside `0..10 s`.
 */
public class StackQueryDevtoolsOptions(
    public val host: String = DEFAULT_HOST,
    public val port: Int = 0,
    public val readOnly: Boolean = false,
    public val showDataWithoutCodec: Boolean = false,
    public val historySize: Int = DEFAULT_HISTORY_SIZE,
    public val notifyInterval: Duration = DEFAULT_NOTIFY_INTERVAL,
) {
    init {
        checkHost(host)
        checkPort(port)
        checkHistorySize(historySize)
        checkNotifyInterval(notifyInterval)
    }

    /** A builder starting from these options, to change some of them. */
    public fun toBuilder(): Builder = Builder(this)

    override fun equals(other: Any?): Boolean =
        other is StackQueryDevtoolsOptions && host == other.host && port == other.port && readOnly == other.readOnly &&
            showDataWithoutCodec == other.showDataWithoutCodec && historySize == other.historySize &&
            notifyInterval == other.notifyInterval

    override fun hashCode(): Int =
        listOf(host, port, readOnly, showDataWithoutCodec, historySize, notifyInterval).hashCode()

    override fun toString(): String = "StackQueryDevtoolsOptions(host=$host, port=$port, readOnly=$readOnly, " +
        "showDataWithoutCodec=$showDataWithoutCodec, historySize=$historySize, notifyInterval=$notifyInterval)"

    /**
     * Builds [StackQueryDevtoolsOptions] from Java. Setters validate eagerly, naming the field, and
     * return the builder; unset fields keep the defaults documented on [StackQueryDevtoolsOptions].
     * Not thread-safe (use one builder per thread).
     */
    public class Builder internal constructor(from: StackQueryDevtoolsOptions) {
        private var host: String = from.host
        private var port: Int = from.port
        private var readOnly: Boolean = from.readOnly
        private var showDataWithoutCodec: Boolean = from.showDataWithoutCodec
        private var historySize: Int = from.historySize
        private var notifyInterval: Duration = from.notifyInterval

        /** See [StackQueryDevtoolsOptions.host]. */
        public fun host(host: String): Builder = apply { this.host = checkHost(host) }

        /** See [StackQueryDevtoolsOptions.port]. */
        public fun port(port: Int): Builder = apply { this.port = checkPort(port) }

        /** See [StackQueryDevtoolsOptions.readOnly]. */
        public fun readOnly(readOnly: Boolean): Builder = apply { this.readOnly = readOnly }

        /** See [StackQueryDevtoolsOptions.showDataWithoutCodec]. */
        public fun showDataWithoutCodec(show: Boolean): Builder = apply { showDataWithoutCodec = show }

        /** See [StackQueryDevtoolsOptions.historySize]. */
        public fun historySize(size: Int): Builder = apply { historySize = checkHistorySize(size) }

        /** See [StackQueryDevtoolsOptions.notifyInterval]. */
        public fun notifyInterval(interval: Duration): Builder = apply {
            notifyInterval = checkNotifyInterval(interval)
        }

        /** Options with the values set so far. */
        public fun build(): StackQueryDevtoolsOptions =
            StackQueryDevtoolsOptions(host, port, readOnly, showDataWithoutCodec, historySize, notifyInterval)
    }

    public companion object {
        /** The default [host]: `127.0.0.1`, loopback only. */
        public const val DEFAULT_HOST: String = "127.0.0.1"

        /** The default [historySize]: 20 state changes per query. */
        public const val DEFAULT_HISTORY_SIZE: Int = 20

        /** The largest [historySize]: 1000. */
        public const val MAX_HISTORY_SIZE: Int = 1000

        /** The default [notifyInterval]: 100 ms. */
        @JvmField
        public val DEFAULT_NOTIFY_INTERVAL: Duration = Duration.ofMillis(100)

        /** Options with every field at its default: loopback, a free port, actions on, data without a codec hidden. */
        @JvmField
        public val DEFAULT: StackQueryDevtoolsOptions = StackQueryDevtoolsOptions()

        /** A builder with every field at its default, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder(DEFAULT)
    }
}

private val MAX_NOTIFY_INTERVAL: Duration = Duration.ofSeconds(10)

private fun checkHost(host: String): String {
    require(host.isNotBlank()) { "host must not be blank, was \"$host\"" }
    return host
}

private fun checkPort(port: Int): Int {
    require(port in 0..65535) { "port must be in 0..65535 (0: a free port), was $port" }
    return port
}

private fun checkHistorySize(size: Int): Int {
    require(size in 1..StackQueryDevtoolsOptions.MAX_HISTORY_SIZE) {
        "historySize must be in 1..${StackQueryDevtoolsOptions.MAX_HISTORY_SIZE}, was $size"
    }
    return size
}

private fun checkNotifyInterval(interval: Duration): Duration {
    require(!interval.isNegative && interval <= MAX_NOTIFY_INTERVAL) {
        "notifyInterval must be between 0 and 10 s, was $interval"
    }
    return interval
}
