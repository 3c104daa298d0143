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
})
