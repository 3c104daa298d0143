package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import io.kotest.matchers.types.shouldNotBeSameInstanceAs
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.concurrent.Executor
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** An executor standing in for Swing's event thread: tasks queue until [runAll] ("the event loop turns"). */
private class EventQueue : Executor {
    private val tasks = ArrayDeque<Runnable>()

    override fun execute(command: Runnable) {
        synchronized(tasks) { tasks.addLast(command) }
    }

    fun runAll() {
        while (true) (synchronized(tasks) { tasks.removeFirstOrNull() } ?: return).run()
    }
}

/** Structural sharing, `notifyOnChange` and the richer state, seen through observers in virtual time. */
class ObserverChangeTrackingSpec : FunSpec({
    val key = queryKey("users")

    data class User(val id: Int, val name: String)

    test("an equal refetch keeps the cached instance and changes only dataUpdatedAt, the count and the fetch status") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { listOf(User(1, "Ada"), User(2, "Grace")) }
            val options = QueryOptions(key, { fetcher() })
            val first = client.fetchQuery(options)
            val before = client.getQueryState<List<User>>(key)!!
            advanceTimeBy(1.minutes)
            client.fetchQuery(options) // stale (staleTime 0): a background refetch
            settle()
            fetcher.calls shouldBe 2
            val after = client.getQueryState<List<User>>(key)!!
            after.data shouldBeSameInstanceAs first
            after.dataUpdatedAt shouldBe before.dataUpdatedAt + 60_000 + 100
            after.dataUpdateCount shouldBe 2
            client.close()
        }
    }

    test("a partly changed list keeps the instances of its unchanged elements") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { listOf(User(1, "Ada"), User(2, if (it == 1) "Grace" else "Hopper")) }
            val options = QueryOptions(key, { fetcher() })
            val first = client.fetchQuery(options)
            client.fetchQuery(options) // stale: answered from the cache, refetched in the background
            settle()
            val second = client.getQueryData<List<User>>(key)!!
            second[0] shouldBeSameInstanceAs first[0]
            second[1] shouldBe User(2, "Hopper")
            client.close()
        }
    }

    test("structuralSharing = false takes every new instance, and select runs again") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { listOf(User(1, "Ada")) }
            var selects = 0
            val options = QueryOptions(key, { fetcher() }, structuralSharing = false)
            val observer = client.watch(options) { users ->
                selects++
                users.map { it.name }
            }
            val subscription = observer.subscribe { }
            settle()
            val first = client.getQueryData<List<User>>(key)
            client.invalidateQueries(key)
            settle()
            fetcher.calls shouldBe 2
            client.getQueryData<List<User>>(key) shouldNotBeSameInstanceAs first
            selects shouldBe 2
            subscription.close()
            client.close()
        }
    }

    test("with sharing on, an equal refetch does not run select again") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { listOf(User(1, "Ada")) }
            var selects = 0
            val observer = client.watch(QueryOptions(key, { fetcher() })) { users ->
                selects++
                users.map { it.name }
            }
            val subscription = observer.subscribe { }
            settle()
            client.invalidateQueries(key)
            settle()
            fetcher.calls shouldBe 2
            selects shouldBe 1
            subscription.close()
            client.close()
        }
    }

    test("a custom sharing function decides; one that throws is logged and the new data kept") {
        runTest {
            val client = testClient()
            val calls = mutableListOf<Pair<Int, Int>>()
            val keepOld = QueryOptions(key, { 2 }, structuralSharingFunction = { old: Int, new: Int ->
                calls += old to new
                old
            })
            client.setQueryData(key, 1)
            client.fetchQuery(keepOld) shouldBe 1 // stale: refetched in the background
            settle()
            calls shouldBe listOf(1 to 2)
            client.getQueryData<Int>(key) shouldBe 1
            val throwing = QueryOptions(key, { 3 }, structuralSharingFunction = { _: Int, _: Int -> error("boom") })
            client.fetchQuery(throwing)
            settle()
            client.getQueryState<Int>(key)!!.brief() shouldBe "SUCCESS/IDLE/3/0"
            client.close()
        }
    }

    test("setQueryData with equal data keeps the cached instance") {
        runTest {
            val client = testClient()
            val first = client.setQueryData(key, listOf(User(1, "Ada")))
            client.setQueryData(key, listOf(User(1, "Ada"))) shouldBeSameInstanceAs first
            client.getQueryData<List<User>>(key) shouldBeSameInstanceAs first
            client.getQueryState<List<User>>(key)!!.dataUpdateCount shouldBe 2
            client.close()
        }
    }

    test(
        "a Swing-like listener gets only the two fetch-status changes of an equal refetch; a DATA-only one gets none",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { listOf(User(1, "Ada")) }
            val all = client.watch(QueryOptions(key, { fetcher() }))
            val dataOnly = client.watch(QueryOptions(key, { fetcher() }, notifyOnChange = setOf(QueryStateField.DATA)))
            val edt = EventQueue()
            val allSeen = mutableListOf<QueryState<List<User>>>()
            val dataSeen = mutableListOf<QueryState<List<User>>>()
            val a = all.subscribe({ allSeen += it }, edt)
            val d = dataOnly.subscribe({ dataSeen += it }, edt)
            settle()
            edt.runAll()
            val loaded = allSeen.last()
            allSeen.clear()
            dataSeen.clear()

            client.refetchQueries(key) // a background refetch of equal data
            edt.runAll()
            fetcher.calls shouldBe 2
            allSeen.map { it.fetchStatus } shouldBe listOf(FetchStatus.FETCHING, FetchStatus.IDLE)
            allSeen.forEach { it.data shouldBeSameInstanceAs loaded.data }
            allSeen.last().dataUpdateCount shouldBe 2
            dataSeen shouldBe emptyList()
            a.close()
            d.close()
            client.close()
        }
    }

    test(
        "a Compose-like collector tracking what it renders recomposes zero times for an equal refetch, once for new data",
    ) {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { if (it < 3) listOf(User(1, "Ada")) else listOf(User(1, "Grace")) }
            val rendered = setOf(QueryStateField.DATA, QueryStateField.STATUS, QueryStateField.ERROR)
            val observer = client.watch(QueryOptions(key, { fetcher() }, notifyOnChange = rendered))
            val recompositions = mutableListOf<String>()
            val screen = launch { observer.state.collect { recompositions += "${it.status}/${it.data}" } }
            settle()
            recompositions shouldBe listOf("PENDING/null", "SUCCESS/[User(id=1, name=Ada)]")
            client.invalidateQueries(key)
            settle()
            fetcher.calls shouldBe 2
            recompositions.size shouldBe 2
            client.invalidateQueries(key)
            settle()
            fetcher.calls shouldBe 3
            recompositions.drop(2) shouldBe listOf("SUCCESS/[User(id=1, name=Grace)]")
            screen.cancel()
            client.close()
        }
    }

    test("the state says whether it was fetched, refetching, a loading or refetch error, and counts updates") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { if (it == 2) "v2" else error("fail $it") }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val seen = mutableListOf<String>()
            val subscription = observer.subscribe {
                seen += listOf(
                    it.status,
                    if (it.isFetched) "fetched" else "-",
                    if (it.isRefetching) "refetching" else "-",
                    if (it.isLoadingError) "loadingError" else "-",
                    if (it.isRefetchError) "refetchError" else "-",
                    "${it.dataUpdateCount}/${it.errorUpdateCount}",
                ).joinToString(" ")
            }
            settle()
            observer.refetch()
            observer.refetch()
            seen shouldBe listOf(
                "PENDING - - - - 0/0",
                "ERROR fetched - loadingError - 0/1",
                "PENDING fetched - - - 0/1", // as TanStack: a query without data is pending again while it refetches
                "SUCCESS fetched - - - 1/1",
                "SUCCESS fetched refetching - - 1/1",
                "ERROR fetched - - refetchError 1/2",
            )
            subscription.close()
            client.close()
        }
    }

    test("isFetchedAfterMount is false for data fetched before the observer subscribed, true after its own fetch") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            val fetcher = FakeFetcher { "v$it" }
            val options = QueryOptions(key, { fetcher() })
            client.fetchQuery(options)
            val observer = client.watch(options)
            val seen = mutableListOf<String>()
            val subscription = observer.subscribe { seen += "${it.data} ${it.isFetched} ${it.isFetchedAfterMount}" }
            settle()
            observer.refetch()
            seen shouldBe listOf("v1 true false", "v1 true false", "v2 true true") // cached, refetching, refetched
            client.getQueryState<String>(key)!!.isFetchedAfterMount shouldBe false
            subscription.close()
            client.close()
        }
    }

    test("an observer republishes when its data turns stale, by its own stale time; not when it does not track STALE") {
        runTest {
            val client = testClient()
            client.setQueryData(key, "cached")
            val options = QueryOptions(key, { "fetched" }, staleTime = 1.minutes)
            val dataOnly = setOf(QueryStateField.DATA)
            val tracking = client.watch(options)
            val notTracking = client.watch(
                QueryOptions(key, {
                    "fetched"
                }, staleTime = 1.minutes, notifyOnChange = dataOnly),
            )
            val disabled = client.watch(QueryOptions(key, { "fetched" }, enabled = false))
            val seen = mutableListOf<Boolean>()
            val others = mutableListOf<Boolean>()
            val a = tracking.subscribe { seen += it.isStale }
            val b = notTracking.subscribe { others += it.isStale }
            advanceTimeBy(59.seconds)
            runCurrent()
            seen shouldBe listOf(false)
            advanceTimeBy(1.seconds)
            runCurrent()
            seen shouldBe listOf(false, true)
            others shouldBe listOf(false)
            disabled.current.isStale shouldBe false // as TanStack: a disabled observer's data is never stale
            client.getQueryState<String>(key)!!.isStale shouldBe true // the client's stale time is 0
            a.close()
            b.close()
            client.close()
        }
    }

    test("an observer with initial data attaching to a query without data gives it that data, uncounted") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            client.watch(QueryOptions(key, { "fetched" }, enabled = false)).subscribe { }
            client.getQueryState<String>(key)!!.hasData shouldBe false
            val withInitial = client.watch(QueryOptions(key, { "fetched" }, initialData = "initial"))
            val seen = mutableListOf<String>()
            val subscription = withInitial.subscribe { seen += it.brief() }
            settle()
            seen shouldBe listOf("SUCCESS/IDLE/initial/0") // fresh for a minute: not fetched
            client.getQueryState<String>(key)!!.dataUpdateCount shouldBe 0
            // Existing data is never replaced by initial data.
            client.setQueryData(key, "set")
            client.watch(QueryOptions(key, { "fetched" }, initialData = "other")).subscribe { }
            client.getQueryData<String>(key) shouldBe "set"
            subscription.close()
            client.close()
        }
    }

    test("setOptions may replace select; the new one runs on the data shown at once") {
        runTest {
            val client = testClient(staleTime = 1.minutes)
            client.setQueryData(key, "Ada Lovelace")
            val options = QueryOptions(key, { "x" })
            val observer = client.watch(options) { it.length.toString() }
            val seen = mutableListOf<String?>()
            val subscription = observer.subscribe { seen += it.data }
            settle()
            observer.setOptions(options) { it.uppercase() }
            settle()
            seen shouldBe listOf("12", "ADA LOVELACE")
            subscription.close()
            observer.setOptions(options) { it.take(3) }
            observer.current.data shouldBe "Ada" // detached: computed from the cache
            client.close()
        }
    }

    test("refetch returns the whole state even when notifyOnChange does not publish the failure") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { if (it == 1) "v1" else error("down") }
            val observer = client.watch(QueryOptions(key, { fetcher() }, notifyOnChange = setOf(QueryStateField.DATA)))
            val subscription = observer.subscribe { }
            settle()
            val refetched = observer.refetch()
            refetched.brief() shouldBe "ERROR/IDLE/v1/1"
            observer.current.brief() shouldBe "SUCCESS/IDLE/v1/0" // the last state it published
            subscription.close()
            client.close()
        }
    }

    test("a cache state says whether it is stale from the moment the query is made") {
        runTest {
            val client = testClient(staleTime = 5.minutes)
            client.setQueryData(key, "set")
            client.getQueryState<String>(key)!!.isStale shouldBe false
            val events = recordEvents(client)
            client.setQueryData(queryKey("other"), "x")
            runCurrent()
            events.statesOf(queryKey("other")).map { it.isStale } shouldBe listOf(false)
            advanceTimeBy(5.minutes)
            client.getQueryState<String>(key)!!.isStale shouldBe true
            QueryState.success("x", 0).isStale shouldBe false
            QueryState.idle<String>().isStale shouldBe true
            client.close()
        }
    }

    test("isFetchedAfterMount counts again from a reset of the query") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val subscription = observer.subscribe { }
            settle()
            observer.refetch()
            observer.current.isFetchedAfterMount shouldBe true
            client.resetQueries(key)
            settle()
            fetcher.calls shouldBe 3 // the reset refetched the observed query
            observer.current.isFetchedAfterMount shouldBe true
            observer.current.dataUpdateCount shouldBe 1
            subscription.close()
            client.close()
        }
    }
})
