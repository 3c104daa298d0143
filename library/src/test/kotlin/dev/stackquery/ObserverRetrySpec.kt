package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** A client that retries [retry] times, 1 s apart. */
private fun TestScope.retryingClient(retry: Int = 3) =
    testClient(retry = retry, retryPolicy = RetryPolicy.fixed(1.seconds))

/** Attempt 1 failed at 100 ms and the observer is at 500 ms: its one retry comes at 1,100 ms, not before and not at once. */
private fun TestScope.theRetryComesAt1100Ms(fetcher: FakeFetcher<*>) {
    settle(590.milliseconds)
    fetcher.calls shouldBe 1
    settle(20.milliseconds)
    fetcher.calls shouldBe 2
}

/**
 * Retries stop with the last observer: a fetch nobody wants any more (no observer, no caller
 * waiting) makes no further attempt. Attempts take 100 ms; retries wait 1 s; 3 retries allowed.
 */
class ObserverRetrySpec : FunSpec({
    val key = queryKey("flaky")

    fun failing() = FakeFetcher<String> { error("fail $it") }

    test("the last observer leaving during an attempt: that attempt is the last, and the query settles") {
        runTest {
            val client = retryingClient()
            val fetcher = failing()
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe { }
            settle(1_150.milliseconds) // attempt 1 failed at 100 ms; attempt 2 runs from 1,100 ms
            fetcher.calls shouldBe 2
            subscription.close()
            settle(60.seconds)
            fetcher.calls shouldBe 2
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "ERROR/IDLE/null/2"
            state.error!!.original().message shouldBe "fail 2"
            client.close()
        }
    }

    test("the last observer leaving between attempts: the query settles at once with the last failure") {
        runTest {
            val client = retryingClient()
            val fetcher = failing()
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe { }
            settle(500.milliseconds)
            subscription.close()
            runCurrent()
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/null/1"
            settle(60.seconds)
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("a fetchQuery caller still waiting keeps the retries going after the last observer left") {
        runTest {
            val client = retryingClient()
            val fetcher = failing()
            val options = QueryOptions(key, { fetcher() })
            val subscription = client.watch(options).subscribe { }
            runCurrent()
            val caller = async { runCatching { client.fetchQuery(options) } }
            advanceTimeBy(500.milliseconds)
            subscription.close()
            settle(60.seconds)
            fetcher.calls shouldBe 4
            caller.await().exceptionOrNull()!!.original().message shouldBe "fail 4"
            client.close()
        }
    }

    test("the last caller giving up stops the retries of a query nobody observes") {
        runTest {
            val client = retryingClient()
            val fetcher = failing()
            val caller = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            advanceTimeBy(1_150.milliseconds)
            caller.cancel()
            settle(60.seconds)
            fetcher.calls shouldBe 2
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/null/2"
            client.close()
        }
    }

    test("an observer coming back before the attempt fails lets the retries go on") {
        runTest {
            val client = retryingClient()
            val fetcher = failing()
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            observer.subscribe { }.close()
            runCurrent()
            val again = observer.subscribe { }
            settle(60.seconds)
            fetcher.calls shouldBe 4
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/null/4"
            again.close()
            client.close()
        }
    }

    test("a fetch nobody observed from the start retries as its policy says") {
        runTest {
            val client = retryingClient()
            val fetcher = failing()
            shouldThrow<IllegalStateException> { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            fetcher.calls shouldBe 4
            client.close()
        }
    }

    test("invalidateQueries waiting for the refetch keeps its retries going after the last observer left") {
        runTest {
            val client = retryingClient()
            val fetcher = FakeFetcher { if (it == 1) "v1" else error("fail $it") }
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe { }
            settle(200.milliseconds)
            val invalidation = async { client.invalidateQueries(key) }
            runCurrent()
            subscription.close()
            invalidation.await()
            fetcher.calls shouldBe 5 // the first fetch, then the refetch's four attempts
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/v1/4"
            client.close()
        }
    }

    test("a second subscriber keeps the observer attached: the wait between attempts runs in full") {
        runTest {
            val client = retryingClient(retry = 1)
            val fetcher = failing()
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val first = observer.subscribe { }
            settle(500.milliseconds) // attempt 1 failed at 100 ms; the retry is due at 1,100 ms
            val second = observer.subscribe { }
            first.close()
            runCurrent()
            theRetryComesAt1100Ms(fetcher)
            second.close()
            client.close()
        }
    }

    test("detaching and reattaching during the wait between attempts does not skip the rest of the wait") {
        runTest {
            val client = retryingClient(retry = 1)
            val fetcher = failing()
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val first = observer.subscribe { }
            settle(500.milliseconds)
            first.close() // stops the retries: the wait would end now...
            val again = observer.subscribe { } // ...but they go on before the run sees the stop
            runCurrent()
            theRetryComesAt1100Ms(fetcher)
            again.close()
            client.close()
        }
    }
})
