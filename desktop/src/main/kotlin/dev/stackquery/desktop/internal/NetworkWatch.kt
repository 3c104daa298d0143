package dev.stackquery.desktop.internal

import dev.stackquery.desktop.ReachabilityProbe
import kotlinx.coroutines.delay
import org.slf4j.LoggerFactory
import java.time.Duration

/**
 * The schedule of [dev.stackquery.desktop.NetworkOnlineManager]'s checks, with its checks
 * injected ([interfacesUp], [probe], the monotonic clock [nowMillis]) so tests drive it in virtual
 * time. Every [interfaceIntervalMillis] it checks the interfaces; while they are up and a probe
 * is set, it also probes: at once when they come up, then at the first check at least
 * [probeIntervalMillis] after the last probe began. Each result goes to [report]: online when
 * the interfaces are up and the last probe (if any) succeeded. A check that throws counts as
 * failed.
 */
internal class NetworkWatch(
    private val interfacesUp: () -> Boolean,
    private val probe: ReachabilityProbe?,
    private val interfaceIntervalMillis: Long,
    private val probeIntervalMillis: Long,
    private val probeTimeout: Duration,
    private val nowMillis: () -> Long,
    private val report: (Boolean) -> Unit,
) {
    private var reachable = false
    private var nextProbeAt: Long? = null // null: probe at the next check with the interfaces up

    /** Runs the checks until cancelled (between two checks; a running probe finishes first). */
    suspend fun run(): Nothing {
        while (true) {
            report(check())
            delay(interfaceIntervalMillis)
        }
    }

    /** Whether the interfaces are usable now (false when their check throws); no probe. */
    fun interfacesUsable(): Boolean = attempt("network interface check", interfacesUp)

    /** One round: the interfaces, then the probe when it is due. */
    fun check(): Boolean {
        if (!interfacesUsable()) {
            nextProbeAt = null
            return false
        }
        val probe = probe ?: return true
        val now = nowMillis()
        val due = nextProbeAt
        if (due == null || now >= due) {
            nextProbeAt = now + probeIntervalMillis
            reachable = attempt("reachability probe $probe") { probe.isReachable(probeTimeout) }
        }
        return reachable
    }

    private inline fun attempt(what: String, check: () -> Boolean): Boolean = try {
        check()
    } catch (e: Exception) {
        log.debug("{} failed: counted as offline", what, e)
        false
    }

    private companion object {
        val log = LoggerFactory.getLogger(NetworkWatch::class.java)
    }
}
