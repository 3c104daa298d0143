package dev.stackquery.storage.redis

import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.testing.RecordingSyncListener
import dev.stackquery.testing.TcpProxy
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.throwables.shouldThrowExactly
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestCoroutineScheduler
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** RedisSyncTransport against the real Redis, each test on a channel of its own. */
class RedisSyncTransportSpec : FunSpec({
    extension(RequiresRedis)

    val timeout = 500.milliseconds
    val bound = 2.seconds
    val opened = mutableListOf<AutoCloseable>()
    lateinit var channel: String

    fun transport(uri: String = TestRedis.URI, on: String = channel): RedisSyncTransport =
        RedisSyncTransport.create(uri, on, timeout).also { opened += it }

    fun proxy(): TcpProxy = redisProxy().also { opened += it }

    beforeTest { channel = TestRedis.uniqueChannel() }

    afterTest {
        opened.reversed().forEach { it.close() }
        opened.clear()
        // Redis drops the closed transports' subscriptions as it notices the connections closing.
        TestRedis.raw().use { raw ->
            retryUntilSuccess(5.seconds) { check(raw.commands.pubsubNumsub(channel)[channel] == 0L) }
        }
    }

    test("two transports on one channel deliver each other's messages and their own, in publication order") {
        val a = transport()
        val b = transport()
        val aReceived = RecordingSyncListener()
        val bReceived = RecordingSyncListener()
        a.start(aReceived)
        b.start(bReceived)

        repeat(50) { a.publish("a-$it") }
        repeat(50) { b.publish("b-$it") }

        val expected = (0 until 50).map { "message:a-$it" } + (0 until 50).map { "message:b-$it" }
        aReceived.next(100) shouldBe expected
        bReceived.next(100) shouldBe expected
        aReceived.pending().shouldBeEmpty()
    }

    test("a transport on another channel receives nothing of this one") {
        val a = transport()
        val other = transport(on = "$channel:other")
        val otherReceived = RecordingSyncListener()
        a.start(RecordingSyncListener())
        other.start(otherReceived)

        a.publish("not for other")
        other.publish("own")

        otherReceived.next() shouldBe listOf("message:own")
        otherReceived.pending().shouldBeEmpty()
    }

    test("after a cut and restore the transport subscribes again, calls onReconnected once, and later messages flow") {
        val proxy = proxy()
        val a = transport(proxy.uri)
        val b = transport()
        val aReceived = RecordingSyncListener()
        a.start(aReceived)
        b.start(RecordingSyncListener())
        b.publish("before")
        aReceived.next() shouldBe listOf("message:before") // no onReconnected for the first subscription

        proxy.cut()
        b.publish("during") // a is not subscribed: pub/sub drops it for a
        proxy.restore()

        aReceived.next(within = 15.seconds) shouldBe listOf("reconnected")
        b.publish("after")
        aReceived.next() shouldBe listOf("message:after")
        aReceived.pending().shouldBeEmpty()
    }

    test("publish during a cut fails with StorageUnavailableException within the bound, and works after restore") {
        val proxy = proxy()
        val a = transport(proxy.uri)
        val b = transport()
        val bReceived = RecordingSyncListener()
        a.start(RecordingSyncListener())
        b.start(bReceived)
        a.publish("first")
        bReceived.next() shouldBe listOf("message:first")

        proxy.cut()
        val (error, took) = timed { shouldThrowExactly<StorageUnavailableException> { a.publish("lost") } }
        took shouldBeLessThan bound
        error.message shouldContain "PUBLISH"

        proxy.restore()
        retryUntilSuccess { a.publish("again") }
        bReceived.next() shouldBe listOf("message:again")
        bReceived.pending().shouldBeEmpty()
    }

    test(
        "start while Redis is unreachable fails as unavailable, keeps trying, and calls onReconnected once subscribed",
    ) {
        val proxy = proxy()
        proxy.cut()
        val a = transport(proxy.uri)
        val aReceived = RecordingSyncListener()
        val (_, took) = timed { shouldThrowExactly<StorageUnavailableException> { a.start(aReceived) } }
        took shouldBeLessThan bound * 2

        proxy.restore()
        aReceived.next(within = 15.seconds) shouldBe listOf("reconnected")
        transport().publish("hello")
        aReceived.next() shouldBe listOf("message:hello")
        aReceived.pending().shouldBeEmpty()
    }

    test("with an injected context, re-subscribing after a failed start waits on that context's virtual time") {
        val scheduler = TestCoroutineScheduler()
        val proxy = proxy()
        proxy.cut()
        val context = StandardTestDispatcher(scheduler) + CoroutineName("client")
        val a = RedisSyncTransport.create(proxy.uri, channel, timeout, context).also { opened += it }
        val aReceived = RecordingSyncListener()
        shouldThrowExactly<StorageUnavailableException> { a.start(aReceived) }
        proxy.restore()

        // Real time passes, well beyond the first 100 ms backoff, but the dispatcher's time does not: no retry.
        delay(500)
        scheduler.runCurrent()
        aReceived.pending().shouldBeEmpty()
        TestRedis.raw().use { raw -> raw.commands.pubsubNumsub(channel)[channel] } shouldBe 0L

        scheduler.advanceTimeBy(100.milliseconds)
        eventuallyWithin(15.seconds) {
            scheduler.runCurrent() // the retry, resumed as Lettuce answers, runs on the test dispatcher
            aReceived.pending() shouldBe listOf("reconnected")
        }
        transport().publish("hello")
        aReceived.next() shouldBe listOf("message:hello")
        aReceived.pending().shouldBeEmpty()
    }

    test("an unconfined context is rejected, naming the parameter") {
        shouldThrow<IllegalArgumentException> {
            RedisSyncTransport.create(TestRedis.URI, channel, timeout, Dispatchers.Unconfined)
        }.message shouldContain "coroutineContext must have a dispatching dispatcher"
    }

    test("a listener that throws is logged and later messages are still delivered") {
        val a = transport()
        val aReceived = RecordingSyncListener(failOn = "boom")
        a.start(aReceived)
        a.publish("boom")
        a.publish("ok")
        aReceived.next() shouldBe listOf("message:ok")
    }

    test("start is called once; after close nothing is delivered and publish fails as unavailable") {
        val a = transport()
        val b = transport()
        val aReceived = RecordingSyncListener()
        val bReceived = RecordingSyncListener()
        a.start(aReceived)
        b.start(bReceived)
        shouldThrowExactly<IllegalStateException> { a.start(RecordingSyncListener()) }.message shouldBe
            "start was already called: one transport serves one client"

        a.close()
        a.close()
        b.publish("after close")
        bReceived.next() shouldBe listOf("message:after close")
        aReceived.pending().shouldBeEmpty()
        shouldThrowExactly<StorageUnavailableException> { a.publish("x") }.message shouldContain "closed"
    }
})
