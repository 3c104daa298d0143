package dev.stackquery.storage.redis

import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.testing.RecordingSyncListener
import dev.stackquery.testing.TcpProxy
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/**
 * A fleet member that loses Redis: client A's storage and transport go through a [TcpProxy],
 * client B connects directly. A keeps answering during the cut, and after the restore it does not
 * serve as fresh what B invalidated while A could not hear it.
 */
class RedisFleetConnectionLossSpec : FunSpec({
    extension(RequiresRedis)

    lateinit var fleet: Fleet
    lateinit var proxy: TcpProxy
    lateinit var witness: RedisSyncTransport

    beforeTest {
        fleet = Fleet()
        proxy = redisProxy()
        witness = RedisSyncTransport.create(TestRedis.URI, fleet.channel)
    }

    afterTest {
        witness.close()
        proxy.close()
        fleet.release()
    }

    test(
        "cut off, A answers from memory or by fetching and counts the L2 failures; after the restore it invalidates what it holds, so B's invalidation during the cut is not lost",
    ) {
        val a = fleet.instance(
            uri = proxy.uri,
            redisTimeout = 500.milliseconds,
            storageTimeout = 500.milliseconds,
            storageCoolDown = 300.milliseconds,
            storageFailureThreshold = 2,
            storageWriteRetries = 0,
        )
        val b = fleet.instance()
        val witnessed = RecordingSyncListener() // a third subscriber: proof that B published while A was cut off
        witness.start(witnessed)
        fleet.awaitSubscribed(3)
        val held = queryKey("stock", 1)
        val callsA = AtomicInteger()
        val heldByA = queryOptions(held, queryFn = { "a-${callsA.incrementAndGet()}" })
        a.client.fetchQuery(heldByA) shouldBe "a-1"
        a.client.flush()
        a.client.storageStats().shouldNotBeNull().errors shouldBe 0

        proxy.cut()
        fleet.awaitSubscribed(2) // Redis dropped A's subscription: what is published now never reaches A

        // A keeps answering: fresh data from memory, a new key by fetching (its L2 read fails).
        a.client.fetchQuery(heldByA) shouldBe "a-1"
        a.client.fetchQuery(queryOptions(queryKey("stock", 2), queryFn = { "fetched while cut" })) shouldBe
            "fetched while cut"
        a.client.flush() // its write fails and, without retries, is dropped
        val duringCut = a.client.storageStats().shouldNotBeNull()
        duringCut.errors shouldBe 2 // the hydration read and the write
        duringCut.writesDropped shouldBe 1
        duringCut.circuitOpen shouldBe true // 2 consecutive failures
        callsA.get() shouldBe 1

        // B invalidates the prefix while A cannot hear it.
        b.client.invalidateQueries(queryKey("stock"))
        witnessed.next().single() shouldContain "\"op\":\"invalidate\""
        a.client.getQueryState<String>(held).shouldNotBeNull().isInvalidated shouldBe false

        // After the restore A's transport subscribes again and A invalidates everything it holds.
        proxy.restore()
        eventuallyWithin(15.seconds) {
            a.client.getQueryState<String>(held).shouldNotBeNull().isInvalidated shouldBe
                true
        }
        a.client.fetchQuery(heldByA) shouldBe "a-1" // stale-while-revalidate: returned stale, and refetched
        eventuallyWithin(5.seconds) { a.client.getQueryData<String>(held) shouldBe "a-2" }
        callsA.get() shouldBe 2
        a.client.fetchQuery(heldByA) shouldBe "a-2"

        // A's L2 works again: once the breaker's cool-down is over and the connection is back, its writes reach Redis.
        eventuallyWithin(15.seconds) {
            a.client.setQueryData(held, "after the restore") // held has a codec: this write goes to L2
            a.client.flush()
            fleet.redisValue(held).shouldNotBeNull() shouldContain "\"data\":\"after the restore\""
        }
        a.client.storageStats().shouldNotBeNull().circuitOpen shouldBe false
    }
})
