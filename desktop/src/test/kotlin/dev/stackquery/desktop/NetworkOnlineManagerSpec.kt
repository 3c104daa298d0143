package dev.stackquery.desktop

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runTest
import java.net.SocketException
import java.time.Duration
import kotlin.time.Duration.Companion.seconds

/** The network, set by hand: interfaces up or not, the probe's answer, and when each probe ran. */
private class FakeNetwork(var interfacesUp: Boolean = true, var reachable: Boolean = true) {
    val probes = mutableListOf<Pair<Long, Duration>>()
    var failInterfaces = false
}

/** A manager on [network] running in [scope]'s virtual time: interfaces every 5 s, probe every 30 s. */
private fun TestScope.manager(
    network: FakeNetwork,
    probe: Boolean = true,
    seen: MutableList<Boolean>,
): NetworkOnlineManager {
    val builder = NetworkOnlineManager.builder()
        .interfaceCheckInterval(5.seconds)
        .probeInterval(30.seconds)
        .probeTimeout(Duration.ofSeconds(2))
    if (probe) {
        builder.probe { timeout ->
            network.probes += testScheduler.currentTime to timeout
            network.reachable
        }
    }
    return start(builder, { if (network.failInterfaces) throw SocketException("no") else network.interfacesUp }, seen)
}

/** A manager with [settings] and [interfacesUp] in [this] scope's virtual time, its changes going to [seen]. */
private fun TestScope.start(
    settings: NetworkOnlineManager.Builder,
    interfacesUp: () -> Boolean,
    seen: MutableList<Boolean>,
    release: () -> Unit = {},
): NetworkOnlineManager = NetworkOnlineManager(
    settings = settings,
    interfacesUp = interfacesUp,
    context = StandardTestDispatcher(testScheduler),
    nowMillis = { testScheduler.currentTime },
    release = release,
).also { it.addListener { online -> seen += online } }

/** Runs [block] in virtual time on a manager of a [FakeNetwork] (with a probe), closing it after. */
private fun withManager(block: TestScope.(NetworkOnlineManager, FakeNetwork, List<Boolean>) -> Unit) = runTest {
    val network = FakeNetwork()
    val seen = mutableListOf<Boolean>()
    val manager = manager(network, seen = seen)
    try {
        block(manager, network, seen)
    } finally {
        manager.close()
    }
}

/** Advances virtual time by [millis] and runs what is due then. */
private fun TestScope.at(millis: Long) {
    testScheduler.advanceTimeBy(millis - testScheduler.currentTime)
    testScheduler.runCurrent()
}

/**
 * NetworkOnlineManager's schedule with fake checks in virtual time: what it reports, exactly
 * when, and when its probe runs.
 */
class NetworkOnlineManagerSpec : FunSpec({
    test("it reads the interfaces when built, so it starts offline with none up, and never probes then") {
        runTest {
            val network = FakeNetwork(interfacesUp = false)
            val seen = mutableListOf<Boolean>()
            val manager = manager(network, seen = seen)
            manager.isOnline shouldBe false
            at(20_000)
            network.probes shouldBe emptyList()
            seen shouldBe emptyList()
            manager.close()
        }
    }

    test("interfaces going down and up are reported at the next check, every interval") {
        runTest {
            val network = FakeNetwork()
            val seen = mutableListOf<Boolean>()
            val manager = manager(network, probe = false, seen = seen)
            at(0)
            manager.isOnline shouldBe true
            network.interfacesUp = false
            at(4_999)
            seen shouldBe emptyList()
            at(5_000)
            seen shouldBe listOf(false)
            network.interfacesUp = true
            at(10_000)
            seen shouldBe listOf(false, true)
            manager.isOnline shouldBe true
            manager.close()
        }
    }

    test("the probe runs at once, then every probe interval, with its timeout; a failing probe is offline") {
        withManager { _, network, seen ->
            at(0)
            network.probes shouldBe listOf(0L to Duration.ofSeconds(2))
            network.reachable = false
            at(25_000)
            network.probes.map { it.first } shouldBe listOf(0L)
            seen shouldBe emptyList()
            at(30_000)
            network.probes.map { it.first } shouldBe listOf(0L, 30_000L)
            seen shouldBe listOf(false)
            network.reachable = true
            at(60_000)
            seen shouldBe listOf(false, true)
        }
    }

    test("interfaces coming back up probe at once instead of waiting for the probe interval") {
        withManager { _, network, seen ->
            at(0)
            network.interfacesUp = false
            at(5_000)
            network.interfacesUp = true
            at(10_000)
            network.probes.map { it.first } shouldBe listOf(0L, 10_000L)
            seen shouldBe listOf(false, true)
        }
    }

    test("a check that throws counts as offline, and a throwing probe as unreachable") {
        runTest {
            val network = FakeNetwork()
            val seen = mutableListOf<Boolean>()
            val manager =
                start(
                    NetworkOnlineManager.builder().probe {
                        throw IllegalStateException("probe broke")
                    },
                    { true },
                    seen,
                )
            at(0)
            seen shouldBe listOf(false)
            manager.close()

            network.failInterfaces = true
            val failing = manager(network, probe = false, seen = mutableListOf())
            failing.isOnline shouldBe false
            failing.close()
        }
    }

    test("close stops the checks and releases the thread once; the last value stays") {
        runTest {
            val network = FakeNetwork()
            val seen = mutableListOf<Boolean>()
            var released = 0
            val manager =
                start(NetworkOnlineManager.builder(), { network.interfacesUp }, seen, release = { released++ })
            at(0)
            manager.close()
            manager.close()
            released shouldBe 1
            network.interfacesUp = false
            at(60_000)
            seen shouldBe emptyList()
            manager.isOnline shouldBe true
            manager.toString() shouldContain "online=true"
        }
    }

    test("the builder rejects a zero or negative duration, naming the setting") {
        val builder = NetworkOnlineManager.builder()
        shouldThrow<IllegalArgumentException> { builder.interfaceCheckInterval(Duration.ZERO) }
            .message shouldBe "interfaceCheckInterval must be positive, was PT0S"
        shouldThrow<IllegalArgumentException> { builder.probeInterval(Duration.ofSeconds(-1)) }
            .message shouldBe "probeInterval must be positive, was PT-1S"
        shouldThrow<IllegalArgumentException> { builder.probeTimeout(0.seconds) }
            .message shouldBe "probeTimeout must be positive, was PT0S"
    }

    test("a real manager checks on its own daemon thread and stops when closed") {
        val threads = mutableListOf<Thread>()
        val manager = NetworkOnlineManager.builder()
            .probe { synchronized(threads) { threads += Thread.currentThread() }; true }
            .build(interfacesUp = { true })
        try {
            val deadline = System.nanoTime() + 10_000_000_000
            while (synchronized(threads) { threads.isEmpty() } && System.nanoTime() < deadline) Thread.yield()
            val thread = synchronized(threads) { threads.first() }
            thread.name.substringBefore(" @coroutine") shouldBe "stackquery-network"
            thread.isDaemon shouldBe true
            manager.toString() shouldContain "interfaces every PT5S"
        } finally {
            manager.close()
        }
    }
})
