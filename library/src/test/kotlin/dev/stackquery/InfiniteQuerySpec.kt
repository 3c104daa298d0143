package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.UnconfinedTestDispatcher
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.Collections
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * A paged API: page `n` (params 1..[lastPage]) is `"<version>:<n>"`, served after 100 ms of
 * virtual time; [failing] params throw once each. Records every call's param.
 */
private class PagedApi(var lastPage: Int = 3) {
    val calls: MutableList<Int> = Collections.synchronizedList(mutableListOf())
    var version = "a"
    val failing = mutableSetOf<Int>()

    suspend fun page(param: Int): String {
        calls += param
        delay(100.milliseconds)
        if (failing.remove(param)) throw IllegalStateException("page $param failed")
        return "$version:$param"
    }
}

private fun PagedApi.options(
    maxPages: Int? = null,
    retry: Int? = null,
    staleTime: Duration? = null,
    withPrevious: Boolean = false,
    initial: Int = 1,
) = InfiniteQueryOptions<String, Int>(
    queryKey = queryKey("feed"),
    queryFn = { page(it) },
    initialPageParam = initial,
    getNextPageParam = { _, _, param, _ -> if (param < lastPage) param + 1 else null },
    getPreviousPageParam = if (withPrevious) {
        PageParamFunction { _, _, param, _ ->
            if (param >
                1
            ) {
                param - 1
            } else {
                null
            }
        }
    } else {
        null
    },
    maxPages = maxPages,
    retry = retry,
    retryPolicy = RetryPolicy.fixed(1.seconds),
    staleTime = staleTime,
)

/** `status/fetchStatus/pages/next/fetchingNext`, for exact sequences. */
private fun InfiniteQueryState<String, Int>.brief(): String =
    "$status/$fetchStatus/${pages.joinToString(",")}/next=$hasNextPage/fetchingNext=$isFetchingNextPage"

private fun <T, P> InfiniteQueryObserver<T, P>.record(into: MutableList<InfiniteQueryState<T, P>>): Subscription =
    subscribe(InfiniteQueryListener { into += it }, Runnable::run)

private fun TestScope.client() = testClient(retry = 0)

class InfiniteQuerySpec : FunSpec({
    test(
        "fetchInfiniteQuery loads the first page; fetchNextPage appends pages until there is none, then does nothing",
    ) {
        runTest {
            val client = client()
            val api = PagedApi()
            val options = api.options(staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options) shouldBe InfiniteData(listOf("a:1"), listOf(1))
            val observer = client.watchInfinite(options)
            val states = mutableListOf<InfiniteQueryState<String, Int>>()
            val subscription = observer.record(states)
            runCurrent()
            val second = async { observer.fetchNextPage() }
            runCurrent()
            observer.current.isFetchingNextPage shouldBe true
            observer.current.isRefetching shouldBe false
            settle()
            second.await().pages shouldBe listOf("a:1", "a:2")
            observer.fetchNextPage().pages shouldBe listOf("a:1", "a:2", "a:3")
            observer.current.hasNextPage shouldBe false
            observer.fetchNextPage().pages shouldBe listOf("a:1", "a:2", "a:3") // no next page: nothing fetched
            api.calls shouldBe listOf(1, 2, 3)
            client.getQueryData<InfiniteData<String, Int>>(queryKey("feed"))!!.pageParams shouldBe listOf(1, 2, 3)
            states.map { it.brief() } shouldBe listOf(
                "SUCCESS/IDLE/a:1/next=true/fetchingNext=false",
                "SUCCESS/FETCHING/a:1/next=true/fetchingNext=true",
                "SUCCESS/IDLE/a:1,a:2/next=true/fetchingNext=false",
                "SUCCESS/FETCHING/a:1,a:2/next=true/fetchingNext=true",
                "SUCCESS/IDLE/a:1,a:2,a:3/next=false/fetchingNext=false",
            )
            client.stats().fetchesByReason[FetchReason.FETCH_NEXT_PAGE] shouldBe 2L
            subscription.unsubscribe()
            client.close()
        }
    }

    test("a refetch fetches every page in order from fresh params and replaces them in one step") {
        runTest {
            val client = client()
            val api = PagedApi(lastPage = 5)
            val options = api.options()
            client.fetchInfiniteQuery(options, pages = 3).pages shouldBe listOf("a:1", "a:2", "a:3")
            val observer = client.watchInfinite(options)
            val states = mutableListOf<InfiniteQueryState<String, Int>>()
            val subscription = observer.record(states)
            settle()
            api.version = "b"
            api.calls.clear()
            client.invalidateQueries(queryKey("feed"))
            api.calls shouldBe listOf(1, 2, 3)
            observer.current.pages shouldBe listOf("b:1", "b:2", "b:3")
            // Never a mix of old and new pages.
            states.map { s -> s.pages.map { it.first() }.toSet() }.filter { it.size > 1 } shouldBe emptyList()
            states.any { it.isRefetching } shouldBe true
            subscription.unsubscribe()
            client.close()
        }
    }

    test("a refetch stops early when there is no next page any more") {
        runTest {
            val client = client()
            val api = PagedApi(lastPage = 3)
            client.fetchInfiniteQuery(api.options(), pages = 3)
            api.lastPage = 2
            api.calls.clear()
            client.refetchQueries(QueryFilter.ALL)
            api.calls shouldBe listOf(1, 2)
            client.getQueryData<InfiniteData<String, Int>>(queryKey("feed"))!!.pages shouldBe listOf("a:1", "a:2")
            client.close()
        }
    }

    test("a failed refetch keeps the old pages and reports the error; a retry resumes at the page that failed") {
        runTest {
            val client = client()
            val api = PagedApi()
            val options = api.options(retry = 1)
            client.fetchInfiniteQuery(options, pages = 3)
            api.version = "b"
            api.calls.clear()
            api.failing += 3
            val observer = client.watchInfinite(options)
            val subscription = observer.subscribe {}
            settle(5.seconds) // subscribe refetches: page 3 fails once, its retry succeeds
            api.calls shouldBe listOf(1, 2, 3, 3)
            observer.current.pages shouldBe listOf("b:1", "b:2", "b:3")

            subscription.unsubscribe()

            val broken = PagedApi()
            val brokenClient = testClient(retry = 0)
            brokenClient.fetchInfiniteQuery(broken.options(), pages = 2)
            broken.failing += 2
            broken.version = "z"
            brokenClient.refetchQueries(QueryFilter.ALL)
            val state = brokenClient.getQueryState<InfiniteData<String, Int>>(queryKey("feed"))!!
            state.status shouldBe QueryStatus.ERROR
            state.data!!.pages shouldBe listOf("a:1", "a:2")
            brokenClient.close()
            client.close()
        }
    }

    test("fetchNextPage during a refetch cancels it by default, or waits for it and loads nothing") {
        runTest {
            val client = client()
            val api = PagedApi(lastPage = 5)
            val options = api.options(staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options, pages = 2)
            val observer = client.watchInfinite(options)
            val subscription = observer.subscribe {}
            runCurrent()
            api.calls.clear()
            api.version = "b"
            val waited = async { client.refetchQueries(QueryFilter.ALL) }
            runCurrent()
            observer.fetchNextPage(cancelRefetch = false).pages shouldBe listOf("b:1", "b:2") // the refetch's pages
            waited.await()
            api.calls shouldBe listOf(1, 2)

            api.calls.clear()
            api.version = "c"
            val cancelled = async { client.refetchQueries(QueryFilter.ALL) }
            runCurrent()
            observer.fetchNextPage().pages shouldBe listOf("b:1", "b:2", "c:3")
            cancelled.await()
            api.calls shouldBe listOf(1, 3) // the refetch was cancelled during its first page
            subscription.unsubscribe()
            client.close()
        }
    }

    test("two concurrent fetchNextPage calls load one page") {
        runTest {
            val client = client()
            val api = PagedApi()
            val options = api.options(staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options)
            val observer = client.watchInfinite(options)
            val calls = List(2) { async { observer.fetchNextPage() } }
            settle()
            calls.map { it.await().pages } shouldBe List(2) { listOf("a:1", "a:2") }
            api.calls shouldBe listOf(1, 2)
            client.close()
        }
    }

    test("fetchPreviousPage prepends, and maxPages drops pages from the other end") {
        runTest {
            val client = client()
            val api = PagedApi(lastPage = 9)
            val options = api.options(maxPages = 2, withPrevious = true, initial = 5, staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options)
            val observer = client.watchInfinite(options)
            observer.fetchNextPage().pages shouldBe listOf("a:5", "a:6")
            observer.fetchNextPage().pages shouldBe listOf("a:6", "a:7")
            observer.current.hasPreviousPage shouldBe true
            observer.fetchPreviousPage().pages shouldBe listOf("a:5", "a:6")
            client.getQueryData<InfiniteData<String, Int>>(queryKey("feed"))!!.pageParams shouldBe listOf(5, 6)
            client.close()
        }
    }

    test("data set while a page loads is kept: the page is added to it") {
        runTest {
            val client = client()
            val api = PagedApi()
            val options = api.options(staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options)
            val observer = client.watchInfinite(options)
            val next = async { observer.fetchNextPage() }
            runCurrent()
            client.setQueryData(queryKey("feed"), InfiniteData(listOf("edited:1"), listOf(1)))
            settle()
            next.await().pages shouldBe listOf("edited:1", "a:2")
            client.close()
        }
    }

    test("a failed page load keeps the pages and says it was the next page that failed") {
        runTest {
            val client = client()
            val api = PagedApi()
            val options = api.options(staleTime = Duration.INFINITE)
            client.fetchInfiniteQuery(options)
            val observer = client.watchInfinite(options)
            api.failing += 2
            val state = observer.fetchNextPage()
            state.isError shouldBe true
            state.isFetchNextPageError shouldBe true
            state.isFetchPreviousPageError shouldBe false
            state.pages shouldBe listOf("a:1")
            state.error!!.message shouldBe "page 2 failed"
            client.close()
        }
    }

    test("select shows the pages flattened, runs only when they change and keeps an equal result's reference") {
        runTest {
            val client = client()
            val api = PagedApi()
            val options = api.options(staleTime = Duration.INFINITE)
            var runs = 0
            val observer = client.watchInfinite(options) { data -> runs++; data.pages.flatMap { it.split(':') } }
            val shown = mutableListOf<List<String>?>()
            val collector = backgroundScope.launch(UnconfinedTestDispatcher(testScheduler)) {
                observer.selected.collect {
                    shown +=
                        it
                }
            }
            settle()
            observer.fetchNextPage()
            val before = observer.selected.value
            observer.current.hasNextPage shouldBe true // flags from the raw pages
            // Other params, the same pages: select runs again, and its equal result keeps the previous reference.
            client.setQueryData(queryKey("feed"), InfiniteData(listOf("a:1", "a:2"), listOf(10, 20)))
            runCurrent()
            (observer.selected.value === before) shouldBe true
            shown shouldBe listOf(null, listOf("a", "1"), listOf("a", "1", "a", "2"))
            runs shouldBe 3
            collector.cancel()
            client.close()
        }
    }

    test("the pages persist as one entry and a fresh client shows them all at once") {
        runTest {
            val storage = dev.stackquery.storage.InMemoryStorage { testScheduler.currentTime }
            val api = PagedApi()
            val options = infiniteQueryOptions<String, Int>(
                queryKey("feed"),
                queryFn = { api.page(it) },
                initialPageParam = 1,
                getNextPageParam = { _, _, param, _ -> if (param < 3) param + 1 else null },
                staleTime = Duration.INFINITE,
            )
            val first = persistentClient(storage)
            first.fetchInfiniteQuery(options, pages = 3)
            first.flush()
            first.close()
            api.calls.clear()
            val second = persistentClient(storage)
            second.fetchInfiniteQuery(options).pages shouldBe listOf("a:1", "a:2", "a:3")
            api.calls shouldBe emptyList()
            second.close()
        }
    }
})
