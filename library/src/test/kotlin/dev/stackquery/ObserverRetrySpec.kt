package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * Retries stop with the last observer: a fetch nobody wants any more (no observer, no caller
 * waiting) makes no further attempt. Attempts take 100 ms; retries wait 1 s; 3 retries allowed.
 */
class ObserverRetrySpec : FunSpec({
    val key = queryKey("flaky")

    fun failing() = FakeFetcher<String> { error("fail $it") }

    test("the last observer leaving during an attempt: that attempt is the last, and the query settles") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe { }
            advanceTimeBy(1_150.milliseconds) // attempt 1 failed at 100 ms; attempt 2 runs from 1,100 ms
            runCurrent()
            fetcher.calls shouldBe 2
            subscription.close()
            advanceTimeBy(60.seconds)
            runCurrent()
            fetcher.calls shouldBe 2
            val state = client.getQueryState<String>(key)!!
            state.brief() shouldBe "ERROR/IDLE/null/2"
            state.error!!.original().message shouldBe "fail 2"
            client.close()
        }
    }

    test("the last observer leaving between attempts: the query settles at once with the last failure") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe { }
            advanceTimeBy(500.milliseconds)
            runCurrent()
            subscription.close()
            runCurrent()
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/null/1"
            advanceTimeBy(60.seconds)
            runCurrent()
            fetcher.calls shouldBe 1
            client.close()
        }
    }

    test("a fetchQuery caller still waiting keeps the retries going after the last observer left") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            val options = QueryOptions(key, { fetcher() })
            val subscription = client.watch(options).subscribe { }
            runCurrent()
            val caller = async { runCatching { client.fetchQuery(options) } }
            advanceTimeBy(500.milliseconds)
            subscription.close()
            advanceTimeBy(60.seconds)
            runCurrent()
            fetcher.calls shouldBe 4
            caller.await().exceptionOrNull()!!.original().message shouldBe "fail 4"
            client.close()
        }
    }

    test("the last caller giving up stops the retries of a query nobody observes") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            val caller = async { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            advanceTimeBy(1_150.milliseconds)
            caller.cancel()
            advanceTimeBy(60.seconds)
            runCurrent()
            fetcher.calls shouldBe 2
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/null/2"
            client.close()
        }
    }

    test("an observer coming back before the attempt fails lets the retries go on") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            observer.subscribe { }.close()
            runCurrent()
            val again = observer.subscribe { }
            advanceTimeBy(60.seconds)
            runCurrent()
            fetcher.calls shouldBe 4
            client.getQueryState<String>(key)!!.brief() shouldBe "ERROR/IDLE/null/4"
            again.close()
            client.close()
        }
    }

    test("a fetch nobody observed from the start retries as its policy says") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            shouldThrow<IllegalStateException> { client.fetchQuery(QueryOptions(key, { fetcher() })) }
            fetcher.calls shouldBe 4
            client.close()
        }
    }

    test("invalidateQueries waiting for the refetch keeps its retries going after the last observer left") {
        runTest {
            val client = testClient(retry = 3, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = FakeFetcher { if (it == 1) "v1" else error("fail $it") }
            val subscription = client.watch(QueryOptions(key, { fetcher() })).subscribe { }
            advanceTimeBy(200.milliseconds)
            runCurrent()
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
            val client = testClient(retry = 1, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val first = observer.subscribe { }
            advanceTimeBy(500.milliseconds) // attempt 1 failed at 100 ms; the retry is due at 1,100 ms
            runCurrent()
            val second = observer.subscribe { }
            first.close()
            runCurrent()
            advanceTimeBy(590.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 1
            advanceTimeBy(20.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 2
            second.close()
            client.close()
        }
    }

    test("detaching and reattaching during the wait between attempts does not skip the rest of the wait") {
        runTest {
            val client = testClient(retry = 1, retryPolicy = RetryPolicy.fixed(1.seconds))
            val fetcher = failing()
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val first = observer.subscribe { }
            advanceTimeBy(500.milliseconds)
            runCurrent()
            first.close() // stops the retries: the wait would end now...
            val again = observer.subscribe { } // ...but they go on before the run sees the stop
            runCurrent()
            advanceTimeBy(590.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 1
            advanceTimeBy(20.milliseconds)
            runCurrent()
            fetcher.calls shouldBe 2
            again.close()
            client.close()
        }
    }
})
