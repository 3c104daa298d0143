package dev.stackquery

import dev.stackquery.storage.InMemoryStorage
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.Collections
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/** Pages `"<version><n>"` for params 1..3 after 100 ms, every call's param recorded. */
private class Pages {
    val calls: MutableList<Int> = Collections.synchronizedList(mutableListOf())
    var version = "a"

    suspend fun load(param: Int): String {
        calls += param
        delay(100.milliseconds)
        return "$version$param"
    }

    fun options(staleTime: Duration? = null, refetchInterval: Duration? = null) = InfiniteQueryOptions<String, Int>(
        queryKey = queryKey("pages"),
        queryFn = { load(it) },
        initialPageParam = 1,
        getNextPageParam = { _, _, param, _ -> if (param < 3) param + 1 else null },
        staleTime = staleTime,
        refetchInterval = refetchInterval,
    )
}

/** An infinite query goes through a plain query's life: reads, observers, polling, cancel, reset, gc, storage, network. */
class InfiniteQueryLifecycleSpec : FunSpec({
    val key = queryKey("pages")

    test("ensureInfiniteQueryData returns cached pages without fetching; prefetchInfiniteQuery warms the first pages") {
        runTest {
            val client = testClient()
            val pages = Pages()
            client.prefetchInfiniteQuery(pages.options(), pages = 2)
            pages.calls shouldBe listOf(1, 2)
            client.ensureInfiniteQueryData(pages.options()).pages shouldBe listOf("a1", "a2")
            pages.calls shouldBe listOf(1, 2)
            client.close()
        }
    }

    test("an observer of stale pages refetches all of them on subscribe, and polling refetches them again") {
        runTest {
            val client = testClient()
            val pages = Pages()
            client.fetchInfiniteQuery(pages.options(), pages = 2)
            pages.version = "b"
            pages.calls.clear()
            val observer = client.watchInfinite(pages.options(refetchInterval = 10.seconds))
            val subscription = observer.subscribe {}
            settle()
            pages.calls shouldBe listOf(1, 2)
            observer.current.pages shouldBe listOf("b1", "b2")
            pages.version = "c"
            settle(10.seconds)
            pages.calls shouldBe listOf(1, 2, 1, 2)
            observer.current.pages shouldBe listOf("c1", "c2")
            subscription.unsubscribe()
            client.close()
        }
    }

    test("cancelling a page load keeps the pages as they were; reset and remove work on the key") {
        runTest {
            val client = testClient()
            val pages = Pages()
            val options = pages.options(staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options)
            val observer = client.watchInfinite(options)
            val load = async { observer.fetchNextPage() }
            runCurrent()
            client.cancelQueries(key)
            load.await().pages shouldBe listOf("a1")
            observer.current.isFetchingNextPage shouldBe false
            client.resetQueries(key)
            client.getQueryState<InfiniteData<String, Int>>(key)!!.hasData shouldBe false
            observer.fetchNextPage().pages shouldBe emptyList() // no pages: no next page to load
            client.removeQueries(key)
            client.getQueryState<InfiniteData<String, Int>>(key) shouldBe null
            client.close()
        }
    }

    test("an infinite query is collected after its gcTime like any query") {
        runTest {
            val client = testClient(gcTime = 1.minutes)
            val pages = Pages()
            client.fetchInfiniteQuery(pages.options())
            settle(2.minutes)
            client.getQueryData<InfiniteData<String, Int>>(key) shouldBe null
            client.close()
        }
    }

    test("persisted stale pages show at once on a cold start, then refetch as their staleness says") {
        runTest {
            val storage = InMemoryStorage { testScheduler.currentTime }
            val pages = Pages()
            val options = infiniteQueryOptions<String, Int>(
                key,
                queryFn = { pages.load(it) },
                initialPageParam = 1,
                getNextPageParam = { _, _, param, _ -> if (param < 3) param + 1 else null },
                staleTime = 1.minutes,
            )
            val writer = persistentClient(storage)
            writer.fetchInfiniteQuery(options, pages = 3)
            writer.flush()
            writer.close()
            settle(2.minutes)
            pages.version = "b"
            pages.calls.clear()

            val reader = persistentClient(storage)
            val observer = reader.watchInfinite(options)
            val shown = mutableListOf<String>()
            val subscription = observer.subscribe(
                InfiniteQueryListener {
                    shown += it.pages.joinToString(",")
                },
                Runnable::run,
            )
            settle()
            shown.distinct() shouldBe listOf("", "a1,a2,a3", "b1,b2,b3")
            pages.calls shouldBe listOf(1, 2, 3)
            subscription.unsubscribe()
            reader.close()
        }
    }

    test("a page load offline is paused, not shown as loading the next page, and runs on reconnect") {
        runTest {
            val online = OnlineManager.manual()
            val client = testClient(onlineManager = online)
            val pages = Pages()
            val options = pages.options(staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options)
            val observer = client.watchInfinite(options)
            online.setOnline(false)
            val load = async { observer.fetchNextPage() }
            runCurrent()
            observer.current.isPaused shouldBe true
            observer.current.isFetchingNextPage shouldBe false
            online.setOnline(true)
            settle()
            load.await().pages shouldBe listOf("a1", "a2")
            client.close()
        }
    }

    test("a page-param function that throws is logged and means there is no such page") {
        runTest {
            val client = testClient()
            val options = InfiniteQueryOptions<String, Int>(
                key,
                queryFn = { "p$it" },
                initialPageParam = 1,
                getNextPageParam = { _, _, _, _ -> throw IllegalStateException("broken") },
            )
            client.fetchInfiniteQuery(options)
            val observer = client.watchInfinite(options)
            observer.current.hasNextPage shouldBe false
            observer.fetchNextPage().pages shouldBe listOf("p1")
            client.close()
        }
    }

    test("bad options are rejected, naming the field") {
        val error = runCatching {
            InfiniteQueryOptions<String, Int>(key, { "x" }, 1, { _, _, _, _ -> null }, maxPages = 0)
        }.exceptionOrNull()!!
        error.message shouldBe "maxPages must be >= 1, was 0"
        runCatching { InfiniteData(listOf("a"), emptyList<Int>()) }.exceptionOrNull()!!.message shouldBe
            "pages and pageParams must have the same size, were 1 and 0"
    }
})
