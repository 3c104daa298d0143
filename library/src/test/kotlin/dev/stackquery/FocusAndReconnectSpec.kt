package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** A query function that records the virtual time of each call and returns at once. */
private class CallClock(private val scope: TestScope) {
    val calls = java.util.Collections.synchronizedList(mutableListOf<Long>())

    suspend operator fun invoke(): String {
        calls += scope.currentTime
        return "v${calls.size}"
    }
}

/** The reasons of the fetches [events] saw start, in order. */
private fun List<QueryCacheEvent>.fetchReasons(): List<FetchReason> =
    filterIsInstance<QueryCacheEvent.FetchStarted>().map { it.reason }

class FocusAndReconnectSpec : FunSpec({
    val key = queryKey("screen")

    test("regaining focus refetches an active query whose data is stale (IF_STALE, the default), and says why") {
        runTest {
            val focus = FocusManager.manual()
            val client = testClient(staleTime = 1.minutes, focusManager = focus)
            val events = recordEvents(client)
            val fetch = CallClock(this)
            val subscription = client.watch(QueryOptions(key, { fetch() })).subscribe {}
            runCurrent()
            focus.setFocused(false)
            settle(30.seconds)
            focus.setFocused(true) // fresh: nothing
            runCurrent()
            settle(31.seconds)
            focus.setFocused(false)
            focus.setFocused(true) // stale now
            runCurrent()
            fetch.calls shouldBe listOf(0L, 61_000L)
            events.fetchReasons() shouldBe listOf(FetchReason.OBSERVER_ATTACHED, FetchReason.FOCUS)
            client.stats().fetchesByReason[FetchReason.FOCUS] shouldBe 1L
            client.queries().single().lastFetchReason shouldBe FetchReason.FOCUS
            subscription.unsubscribe()
            client.close()
        }
    }

    test("ALWAYS refetches fresh data on focus, NEVER never refetches, and a static stale time wins over ALWAYS") {
        runTest {
            val focus = FocusManager.manual()
            val client = testClient(staleTime = Duration.INFINITE, focusManager = focus)
            val always = CallClock(this)
            val never = CallClock(this)
            val static = CallClock(this)
            val subscriptions = listOf(
                client.watch(QueryOptions(queryKey("a"), { always() }, refetchOnFocus = RefetchTrigger.ALWAYS)),
                client.watch(
                    QueryOptions(queryKey("n"), {
                        never()
                    }, staleTime = Duration.ZERO, refetchOnFocus = RefetchTrigger.NEVER),
                ),
                client.watch(
                    QueryOptions(
                        queryKey("s"),
                        { static() },
                        staleTimeFunction = StaleTime.always(StaleTime.STATIC),
                        refetchOnFocus = RefetchTrigger.ALWAYS,
                    ),
                ),
            ).map { it.subscribe {} }
            runCurrent()
            focus.setFocused(false)
            focus.setFocused(true)
            runCurrent()
            always.calls.size shouldBe 2
            never.calls.size shouldBe 1
            static.calls.size shouldBe 1
            subscriptions.forEach { it.unsubscribe() }
            client.close()
        }
    }

    test("focus and reconnect refetch active queries only, and only for an enabled observer") {
        runTest {
            val focus = FocusManager.manual()
            val online = OnlineManager.manual()
            val client = testClient(focusManager = focus, onlineManager = online)
            val inactive = CallClock(this)
            val disabled = CallClock(this)
            client.prefetchQuery(QueryOptions(queryKey("inactive"), { inactive() }))
            client.prefetchQuery(QueryOptions(queryKey("disabled"), { disabled() }))
            val subscription = client.watch(
                QueryOptions(queryKey("disabled"), {
                    disabled()
                }, enabled = false),
            ).subscribe {}
            runCurrent()
            focus.setFocused(false)
            focus.setFocused(true)
            online.setOnline(false)
            online.setOnline(true)
            runCurrent()
            inactive.calls.size shouldBe 1
            disabled.calls.size shouldBe 1
            subscription.unsubscribe()
            client.close()
        }
    }

    test(
        "the network coming back refetches stale active queries (RECONNECT); the client default and the options' override apply",
    ) {
        runTest {
            val online = OnlineManager.manual()
            val client = testClient(onlineManager = online, refetchOnReconnect = RefetchTrigger.NEVER)
            val events = recordEvents(client)
            val byDefault = CallClock(this)
            val overridden = CallClock(this)
            val subscriptions = listOf(
                client.watch(QueryOptions(queryKey("d"), { byDefault() })),
                client.watch(
                    QueryOptions(queryKey("o"), {
                        overridden()
                    }, refetchOnReconnect = RefetchTrigger.IF_STALE),
                ),
            ).map { it.subscribe {} }
            runCurrent()
            online.setOnline(false)
            runCurrent()
            online.setOnline(true)
            runCurrent()
            byDefault.calls.size shouldBe 1
            overridden.calls.size shouldBe 2
            events.fetchReasons().last() shouldBe FetchReason.RECONNECT
            subscriptions.forEach { it.unsubscribe() }
            client.close()
        }
    }

    test("query defaults by prefix set the triggers and the network mode") {
        runTest {
            val focus = FocusManager.manual()
            val client = testClient(focusManager = focus)
            client.setQueryDefaults(queryKey("quiet"), QueryDefaults(refetchOnFocus = RefetchTrigger.NEVER))
            val quiet = CallClock(this)
            val loud = CallClock(this)
            val subscriptions = listOf(
                client.watch(QueryOptions(queryKey("quiet", 1), { quiet() })),
                client.watch(QueryOptions(queryKey("loud"), { loud() })),
            ).map { it.subscribe {} }
            runCurrent()
            focus.setFocused(false)
            focus.setFocused(true)
            runCurrent()
            quiet.calls.size shouldBe 1
            loud.calls.size shouldBe 2
            val resolved = client.defaultQueryOptions(QueryOptions(queryKey("quiet", 2), { "x" }))
            resolved.refetchOnFocus shouldBe RefetchTrigger.NEVER
            resolved.networkMode shouldBe NetworkMode.ONLINE
            resolved.refetchIntervalInBackground shouldBe false
            subscriptions.forEach { it.unsubscribe() }
            client.close()
        }
    }

    test("polling stops while unfocused and starts again on focus; refetchIntervalInBackground keeps it going") {
        runTest {
            val focus = FocusManager.manual()
            val client = testClient(staleTime = Duration.INFINITE, focusManager = focus)
            val foreground = CallClock(this)
            val background = CallClock(this)
            val subscriptions = listOf(
                client.watch(QueryOptions(queryKey("fg"), { foreground() }, refetchInterval = 10.seconds)),
                client.watch(
                    QueryOptions(queryKey("bg"), {
                        background()
                    }, refetchInterval = 10.seconds, refetchIntervalInBackground = true),
                ),
            ).map { it.subscribe {} }
            runCurrent()
            settle(15.seconds) // 15 s: one poll each, at 10 s
            focus.setFocused(false)
            runCurrent()
            settle(40.seconds) // 55 s: unfocused
            focus.setFocused(true)
            runCurrent()
            settle(12.seconds) // 67 s
            foreground.calls shouldBe listOf(0L, 10_000L, 65_000L) // the period starts again at focus (55 s)
            background.calls shouldBe listOf(0L, 10_000L, 20_000L, 30_000L, 40_000L, 50_000L, 60_000L)
            subscriptions.forEach { it.unsubscribe() }
            client.close()
        }
    }

    test("with the default managers nothing changes: no pause, no focus or reconnect refetch") {
        runTest {
            val client = testClient()
            val fetch = CallClock(this)
            val subscription = client.watch(QueryOptions(key, { fetch() }, refetchInterval = 1.seconds)).subscribe {}
            settle(3.seconds)
            fetch.calls shouldBe listOf(0L, 1_000L, 2_000L, 3_000L)
            client.getQueryState<String>(key)!!.isPaused shouldBe false
            subscription.unsubscribe()
            client.close()
        }
    }

    test("the client listens to its managers while open and lets go of them when it closes") {
        runTest {
            val focus = CountingFocusManager()
            val client = testClient(focusManager = focus)
            focus.listeners shouldBe 1
            client.close()
            focus.listeners shouldBe 0
        }
    }

    test("a manager's listener may be called on any thread: the client reacts on its own dispatcher") {
        runTest {
            val focus = FocusManager.manual()
            val client = testClient(focusManager = focus)
            val fetch = CallClock(this)
            val subscription = client.watch(QueryOptions(key, { fetch() })).subscribe {}
            runCurrent()
            focus.setFocused(false)
            val thread = Thread { focus.setFocused(true) }.apply { start() }
            thread.join()
            fetch.calls.size shouldBe 1 // nothing ran on the manager's thread
            runCurrent()
            fetch.calls.size shouldBe 2
            subscription.unsubscribe()
            client.close()
        }
    }

    test("a fetch started while unfocused runs: only retries wait for focus") {
        runTest {
            val client = testClient(focusManager = FocusManager.manual(focused = false))
            val caller = async { client.fetchQuery(QueryOptions(key, { "v" })) }
            runCurrent()
            caller.await() shouldBe "v"
            client.close()
        }
    }
})

/** A focus manager that counts its listeners (and never changes). */
private class CountingFocusManager : FocusManager {
    var listeners = 0
    override val isFocused: Boolean get() = true

    override fun addListener(listener: FocusListener): Subscription {
        listeners++
        return object : Subscription {
            override var isSubscribed = true

            override fun unsubscribe() {
                if (isSubscribed) listeners--
                isSubscribed = false
            }
        }
    }
}
