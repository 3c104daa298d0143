@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.desktop

import dev.stackquery.OnlineListener
import dev.stackquery.OnlineManager
import dev.stackquery.Subscription
import dev.stackquery.desktop.internal.NetworkInterfaces
import dev.stackquery.desktop.internal.NetworkWatch
import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.ObservableFlag
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import org.slf4j.LoggerFactory
import java.time.Duration
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.CoroutineContext
import kotlin.time.toJavaDuration

/**
 * An [OnlineManager] that watches this machine's network: online while some network interface
 * is up with an address that reaches beyond the machine (not the loopback, not only link-local),
 * and, when a [ReachabilityProbe] is set, the last probe succeeded.
 *
 * ```kotlin
 * val online = NetworkOnlineManager.builder()
 *     .probe(ReachabilityProbe.http("https://api.example.com/health"))
 *     .build()
 * val client = QueryClient(QueryClientConfig(onlineManager = online))
 * // … on exit:
 * client.close(); online.close()
 * ```
 *
 * **Checks.** They run on the manager's own daemon thread (`stackquery-network`), never on a
 * caller's: [isOnline] only reads the last result. The interfaces are checked every
 * [Builder.interfaceCheckInterval] (default 5 s; a check takes a few milliseconds). The probe
 * runs as soon as the interfaces are up, then at the first interface check at least
 * [Builder.probeInterval] (default 30 s) after the last probe began, each bounded by
 * [Builder.probeTimeout] (default 5 s); while it runs, the interface check waits. While the
 * interfaces are down the probe does not run. A check that throws counts as failed.
 *
 * **At first** the manager reads the interfaces once, on the thread that builds it, so [isOnline]
 * is right from the start as far as they tell; the first probe follows at once on the manager's
 * thread.
 *
 * **Listeners** are called on the manager's thread, only when the result changes; one that
 * throws is logged and does not keep the others from being told.
 *
 * **Closing.** [close] stops the checks and the thread (a probe in flight ends by its timeout):
 * [isOnline] keeps its last value and listeners are not told anything more. Close it after the
 * client that uses it. Thread-safe.
 */
public class NetworkOnlineManager internal constructor(
    settings: Builder,
    interfacesUp: () -> Boolean,
    context: CoroutineContext,
    nowMillis: () -> Long,
    private val release: () -> Unit,
) : OnlineManager, AutoCloseable {
    private val closed = AtomicBoolean(false)
    private val watch: NetworkWatch = NetworkWatch(
        interfacesUp = interfacesUp,
        probe = settings.probe,
        interfaceIntervalMillis = settings.interfaceInterval.toMillis(),
        probeIntervalMillis = settings.probeInterval.toMillis(),
        probeTimeout = settings.probeTimeout,
        nowMillis = nowMillis,
        report = { online -> if (!closed.get()) flag.set(online) },
    )
    private val flag: ObservableFlag =
        ObservableFlag(initial = watch.interfacesUsable()) { log.warn("An online listener failed", it) }
    private val scope = CoroutineScope(context + SupervisorJob())
    private val description = "interfaces every ${settings.interfaceInterval}" +
        (settings.probe?.let { ", $it every ${settings.probeInterval} (timeout ${settings.probeTimeout})" } ?: "")

    init {
        scope.launch { watch.run() }
    }

    override val isOnline: Boolean get() = flag.value

    /** Registers [listener]; it is called on the manager's thread, with each change from now on. */
    override fun addListener(listener: OnlineListener): Subscription = flag.addListener(listener::onOnlineChanged)

    /** Stops the checks and the manager's thread. Idempotent; never blocks. */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        scope.cancel()
        release()
    }

    override fun toString(): String = "NetworkOnlineManager(online=$isOnline, $description)"

    /**
     * The settings of a [NetworkOnlineManager], from [NetworkOnlineManager.builder]. Each setter
     * validates its argument at once and returns this builder. Not thread-safe.
     */
    public class Builder internal constructor() {
        internal var interfaceInterval: Duration = Duration.ofSeconds(5)
        internal var probe: ReachabilityProbe? = null
        internal var probeInterval: Duration = Duration.ofSeconds(30)
        internal var probeTimeout: Duration = Duration.ofSeconds(5)

        /** How often the network interfaces are checked (default 5 s). Must be positive. */
        public fun interfaceCheckInterval(interval: Duration): Builder =
            apply { interfaceInterval = positive(interval, "interfaceCheckInterval") }

        /** Also require [probe] to succeed (default: no probe, the interfaces alone decide). */
        public fun probe(probe: ReachabilityProbe): Builder = apply { this.probe = probe }

        /** How often the probe runs while the interfaces are up (default 30 s). Must be positive. */
        public fun probeInterval(interval: Duration): Builder =
            apply { probeInterval = positive(interval, "probeInterval") }

        /** How long one probe may take before it counts as failed (default 5 s). Must be positive. */
        public fun probeTimeout(timeout: Duration): Builder = apply { probeTimeout = positive(timeout, "probeTimeout") }

        /** [interfaceCheckInterval] for Kotlin. */
        @JvmSynthetic
        public fun interfaceCheckInterval(interval: kotlin.time.Duration): Builder =
            interfaceCheckInterval(interval.toJavaDuration())

        /** [probeInterval] for Kotlin. */
        @JvmSynthetic
        public fun probeInterval(interval: kotlin.time.Duration): Builder = probeInterval(interval.toJavaDuration())

        /** [probeTimeout] for Kotlin. */
        @JvmSynthetic
        public fun probeTimeout(timeout: kotlin.time.Duration): Builder = probeTimeout(timeout.toJavaDuration())

        /** A manager with these settings, running its checks on a new daemon thread from now on. */
        public fun build(): NetworkOnlineManager = build(NetworkInterfaces::anyUsable)

        /** [build] with another interface check (the tests' fakes, on the real thread). */
        internal fun build(interfacesUp: () -> Boolean): NetworkOnlineManager {
            val executor = Executors.newSingleThreadScheduledExecutor { task ->
                Thread(task, "stackquery-network").apply { isDaemon = true }
            }
            return NetworkOnlineManager(
                settings = this,
                interfacesUp = interfacesUp,
                context = executor.asCoroutineDispatcher(),
                nowMillis = { System.nanoTime() / NANOS_PER_MILLI },
                release = executor::shutdown,
            )
        }

        private fun positive(duration: Duration, name: String): Duration {
            require(!duration.isNegative && !duration.isZero) { "$name must be positive, was $duration" }
            return duration
        }
    }

    public companion object {
        private const val NANOS_PER_MILLI = 1_000_000L
        private val log = LoggerFactory.getLogger(NetworkOnlineManager::class.java)

        /** A manager that watches the network interfaces only, every 5 s. */
        @JvmStatic
        public fun create(): NetworkOnlineManager = builder().build()

        /** The settings of a manager: intervals and an optional [ReachabilityProbe]. */
        @JvmStatic
        public fun builder(): Builder = Builder()
    }
}
