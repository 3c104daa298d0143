package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** Every state an observer publishes, in order, as `status/fetchStatus/data/failureCount`. */
private fun <T> QueryObserver<T>.record(states: MutableList<String>): Subscription =
    subscribe(QueryListener { states += it.brief() }, Runnable::run)

/** A client on the test's clock whose network is [online] (driven by hand) and whose retries wait 1 s. */
private fun TestScope.clientWith(
    online: ManualOnlineManager,
    retry: Int = 0,
    focus: FocusManager = FocusManager.ALWAYS_FOCUSED,
) = testClient(retry = retry, retryPolicy = RetryPolicy.fixed(1.seconds), onlineManager = online, focusManager = focus)

class NetworkModeSpec : FunSpec({
    val key = queryKey("net")

    test(
        "ONLINE: a cold fetchQuery offline waits PENDING/PAUSED without calling the function, then fetches once on reconnect",
    ) {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val states = mutableListOf<String>()
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val subscription = observer.record(states)
            val caller = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            settle(1.hours)
            fetcher.calls shouldBe 0
            client.getQueryState<String>(key)!!.isPaused shouldBe true
            client.getQueryState<String>(key)!!.isLoading shouldBe false
            client.isFetching() shouldBe 0
            caller.isActive shouldBe true

            online.setOnline(true)
            settle()
            caller.await() shouldBe "v1"
            fetcher.calls shouldBe 1
            states shouldBe listOf("PENDING/PAUSED/null/0", "PENDING/FETCHING/null/0", "SUCCESS/IDLE/v1/0")
            subscription.unsubscribe()
            client.close()
        }
    }

    test("ALWAYS ignores the network, and OFFLINE_FIRST runs its first attempt offline") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val always = async { client.fetchQuery(QueryOptions(key, { fetcher() }, networkMode = NetworkMode.ALWAYS)) }
            val first = async {
                client.fetchQuery(
                    QueryOptions(queryKey("first"), {
                        fetcher()
                    }, networkMode = NetworkMode.OFFLINE_FIRST),
                )
            }
            settle()
            always.await() shouldBe "v1"
            first.await() shouldBe "v2"
            client.close()
        }
    }

    test("the client's networkMode applies when the options set none, and the options' wins over it") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = testClient(onlineManager = online, networkMode = NetworkMode.ALWAYS)
            val fetcher = FakeFetcher { "v$it" }
            val byClient = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            val byOptions =
                async {
                    client.fetchQuery(QueryOptions(queryKey("own"), { fetcher() }, networkMode = NetworkMode.ONLINE))
                }
            settle()
            byClient.await() shouldBe "v1"
            byOptions.isActive shouldBe true
            client.getQueryState<String>(queryKey("own"))!!.fetchStatus shouldBe FetchStatus.PAUSED
            online.setOnline(true)
            settle()
            byOptions.await() shouldBe "v2"
            client.close()
        }
    }

    test("OFFLINE_FIRST: a failed first attempt offline pauses its retry, which runs on reconnect") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online, retry = 3)
            val fetcher = FakeFetcher { if (it == 1) throw IllegalStateException("no route") else "v$it" }
            val states = mutableListOf<String>()
            val subscription = client.watch(
                QueryOptions(key, { fetcher() }, networkMode = NetworkMode.OFFLINE_FIRST),
            ).record(states)
            settle(1.hours)
            fetcher.calls shouldBe 1
            online.setOnline(true)
            settle()
            fetcher.calls shouldBe 2
            states shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "PENDING/FETCHING/null/1", // the failure, before the retry delay
                "PENDING/PAUSED/null/1", // the delay is over, but offline
                "PENDING/FETCHING/null/1",
                "SUCCESS/IDLE/v2/0",
            )
            subscription.unsubscribe()
            client.close()
        }
    }

    test("ONLINE: retries wait for the network instead of spending attempts, and go on on reconnect") {
        runTest {
            val online = OnlineManager.manual(online = true)
            val client = clientWith(online, retry = 1)
            val fetcher = FakeFetcher {
                if (it == 1) {
                    online.setOnline(false) // the network drops during the first attempt
                    throw IllegalStateException("connection reset")
                }
                "v$it"
            }
            val caller = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            settle(10.hours)
            fetcher.calls shouldBe 1
            client.getQueryState<String>(key)!!.brief() shouldBe "PENDING/PAUSED/null/1"
            online.setOnline(true)
            settle()
            caller.await() shouldBe "v2"
            fetcher.calls shouldBe 2
            client.close()
        }
    }

    test("a paused fetch whose last observer leaves is dropped: the state goes back, and reconnecting runs nothing") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val events = recordEvents(client)
            val fetcher = FakeFetcher { "v$it" }
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe {}
            settle()
            client.getQueryState<String>(key)!!.brief() shouldBe "PENDING/PAUSED/null/0"
            subscription.unsubscribe()
            runCurrent()
            client.getQueryState<String>(key)!!.brief() shouldBe "IDLE/IDLE/null/0"
            online.setOnline(true)
            settle(1.hours)
            fetcher.calls shouldBe 0
            events.filterIsInstance<QueryCacheEvent.FetchSettled>().map { it.isCancelled } shouldBe listOf(true)
            client.close()
        }
    }

    test("a paused fetchQuery is cancellable, and a cancelled last caller drops the fetch") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val caller = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            settle()
            caller.cancel()
            runCurrent()
            caller.isCancelled shouldBe true
            client.getQueryState<String>(key)!!.brief() shouldBe "IDLE/IDLE/null/0"
            online.setOnline(true)
            settle(1.hours)
            fetcher.calls shouldBe 0
            client.close()
        }
    }

    test("a stale read offline shows the stale data and starts no fetch for nobody later") {
        runTest {
            val online = OnlineManager.manual(online = true)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            val first = async { client.fetchQuery(options) }
            settle()
            first.await() shouldBe "v1"
            online.setOnline(false)
            client.fetchQuery(options) shouldBe "v1" // stale: returned, its background refetch dropped
            runCurrent()
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/v1/0"
            online.setOnline(true)
            settle(1.hours)
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("reconnecting resumes a paused fetch exactly once, however many wait for it and whatever the triggers") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val always = QueryOptions(key, { fetcher() }, refetchOnReconnect = RefetchTrigger.ALWAYS)
            val first = client.watch(always).subscribe {}
            val second = client.watch(QueryOptions(key, { fetcher() })).subscribe {}
            val callers = List(3) { async { client.fetchQuery(QueryOptions(key, { fetcher() })) } }
            settle()
            online.setOnline(true)
            settle()
            callers.map { it.await() } shouldBe listOf("v1", "v1", "v1")
            fetcher.calls shouldBe 1
            client.stats().fetchesByReason[FetchReason.RECONNECT] shouldBe 0L // joined the paused fetch
            first.unsubscribe()
            second.unsubscribe()
            client.close()
        }
    }

    test("invalidateQueries offline returns without waiting for the paused refetch, which runs on reconnect") {
        runTest {
            val online = OnlineManager.manual(online = true)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe {}
            settle()
            online.setOnline(false)
            val invalidation = async { client.invalidateQueries(key) }
            runCurrent()
            invalidation.isCompleted shouldBe true
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/PAUSED/v1/0"
            online.setOnline(true)
            settle()
            fetcher.calls shouldBe 2
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/v2/0"
            subscription.unsubscribe()
            client.close()
        }
    }

    test("cancelQueries on a paused fetch puts the state back as it was") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe {}
            settle()
            client.cancelQueries(key)
            client.getQueryState<String>(key)!!.brief() shouldBe "IDLE/IDLE/null/0"
            online.setOnline(true)
            settle(1.hours)
            fetcher.calls shouldBe 1 // not the cancelled fetch: reconnecting refetches the active query with no data
            subscription.unsubscribe()
            client.close()
        }
    }

    test("a paused prefetch waits for the network and then warms the cache") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val fetcher = FakeFetcher { "v$it" }
            val prefetch = async { client.prefetchQuery(QueryOptions(key, { fetcher() })) }
            settle(1.hours)
            prefetch.isActive shouldBe true
            online.setOnline(true)
            settle()
            prefetch.isCompleted shouldBe true
            client.getQueryData<String>(key) shouldBe "v1"
            client.close()
        }
    }

    test("retries also wait for focus: unfocused, a failed attempt pauses before its retry; focus continues it") {
        runTest {
            val focus = FocusManager.manual(focused = false)
            val client = clientWith(OnlineManager.manual(), retry = 2, focus = focus)
            val fetcher = FakeFetcher { if (it == 1) throw IllegalStateException("flaky") else "v$it" }
            val caller = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            settle(1.hours)
            fetcher.calls shouldBe 1 // the first attempt needs no focus
            client.getQueryState<String>(key)!!.brief() shouldBe "PENDING/PAUSED/null/1"
            focus.setFocused(true)
            settle()
            caller.await() shouldBe "v2"
            client.close()
        }
    }

    test("a failed fetch paused before its retry gives up with its error once nobody wants it") {
        runTest {
            val online = OnlineManager.manual(online = true)
            val client = clientWith(online, retry = 3)
            val fetcher = FakeFetcher<String> {
                online.setOnline(false)
                throw IllegalStateException("down")
            }
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe {}
            settle(2.seconds)
            client.getQueryState<String>(key)!!.brief() shouldBe "PENDING/PAUSED/null/1"
            subscription.unsubscribe()
            runCurrent()
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "ERROR/IDLE/null/1"
            state.error!!.message shouldBe "down"
            online.setOnline(true)
            settle(1.hours)
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("a paused fetch of a query with data keeps its data and status") {
        runTest {
            val online = OnlineManager.manual(online = true)
            val client = clientWith(online)
            val fetcher = FakeFetcher(latency = Duration.ZERO) { "v$it" }
            val states = mutableListOf<String>()
            val subscription = client.watch(QueryOptions(key, { fetcher() })).record(states)
            settle()
            online.setOnline(false)
            client.refetchQueries(QueryFilter.prefix(key)) // returns: the refetch is paused at its start
            runCurrent()
            online.setOnline(true)
            settle()
            states shouldBe listOf(
                "PENDING/FETCHING/null/0",
                "SUCCESS/IDLE/v1/0",
                "SUCCESS/PAUSED/v1/0",
                "SUCCESS/FETCHING/v1/0",
                "SUCCESS/IDLE/v2/0",
            )
            subscription.unsubscribe()
            client.close()
        }
    }

    test("fetchQuery offline in ONLINE mode fails like any fetch once it runs: the error reaches the waiting caller") {
        runTest {
            val online = OnlineManager.manual(online = false)
            val client = clientWith(online)
            val caller = async {
                runCatching { client.fetchQuery(QueryOptions<String>(key, { throw IllegalStateException("500") })) }
            }
            settle(10.milliseconds)
            online.setOnline(true)
            settle()
            shouldThrow<IllegalStateException> { caller.await().getOrThrow() }.message shouldBe "500"
            client.close()
        }
    }
})
