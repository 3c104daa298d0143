package dev.stackquery.storage.redis

import dev.stackquery.QueryState
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.CompletableDeferred
import kotlinx.serialization.Serializable
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

@Serializable
data class Profile(val id: Int, val name: String, val version: Int)

/**
 * Two QueryClients in one JVM, each with its own RedisStorage and RedisSyncTransport on one
 * namespace and channel: the L2 tier and cross-instance coherence end to end, against the real
 * Redis. What another instance does arrives asynchronously: each effect is awaited with a bounded
 * poll ([eventuallyWithin]), never a fixed sleep.
 */
class RedisFleetSpec : FunSpec({
    extension(RequiresRedis)

    val bound = 5.seconds
    lateinit var fleet: Fleet

    beforeTest { fleet = Fleet() }
    afterTest { fleet.release() }

    test(
        "B hydrates what A persisted; A's invalidation refetches B's active observer; A's setQueryData reaches it without a fetch; A's removal leaves neither B nor Redis holding the key",
    ) {
        val a = fleet.instance()
        val b = fleet.instance()
        fleet.awaitSubscribed(2)
        val key = queryKey("profile", 1)
        val callsA = AtomicInteger()
        val callsB = AtomicInteger()
        val optionsA = queryOptions(key, queryFn = { Profile(1, "from A", callsA.incrementAndGet()) })
        val optionsB = queryOptions(key, queryFn = { Profile(1, "from B", callsB.incrementAndGet()) })

        // A fetches and persists; B hydrates it from Redis without calling its query function.
        a.client.fetchQuery(optionsA) shouldBe Profile(1, "from A", 1)
        a.client.flush()
        fleet.redisKeys() shouldContainExactly listOf(fleet.redisKey(key))
        b.client.fetchQuery(optionsB) shouldBe Profile(1, "from A", 1)
        callsB.get() shouldBe 0
        b.client.storageStats().shouldNotBeNull().hits shouldBe 1

        // B observes the key (fresh: subscribing does not refetch); A invalidates a prefix of it.
        val observer = b.client.watch(optionsB)
        val seen = CopyOnWriteArrayList<QueryState<Profile>>()
        val subscription = observer.subscribe { seen += it }
        a.client.invalidateQueries(queryKey("profile"))
        eventuallyWithin(bound) {
            callsB.get() shouldBe 1
            observer.current.data shouldBe Profile(1, "from B", 1)
            observer.current.isFetching shouldBe false
            observer.current.isInvalidated shouldBe false
        }
        callsA.get() shouldBe 1 // A's own copy is inactive: marked, not refetched
        a.client.getQueryState<Profile>(key).shouldNotBeNull().isInvalidated shouldBe true

        // A sets the data: B's observer shows it, and B's query function is not called.
        a.client.setQueryData(key, Profile(1, "set by A", 7))
        eventuallyWithin(bound) { observer.current.data shouldBe Profile(1, "set by A", 7) }
        callsB.get() shouldBe 1
        seen.map { it.data }.distinct() shouldContainExactly
            listOf(Profile(1, "from A", 1), Profile(1, "from B", 1), Profile(1, "set by A", 7))
        subscription.unsubscribe()

        // A removes the prefix: B drops its copy and the entry leaves Redis.
        b.client.flush() // B's refetch was persisted before the removal
        a.client.removeQueries(queryKey("profile"))
        a.client.flush()
        eventuallyWithin(bound) { b.client.getQueryState<Profile>(key) shouldBe null }
        fleet.redisKeys().shouldBeEmpty()
        callsB.get() shouldBe 1
    }

    test(
        "A's invalidation is persisted: a third instance that never held the key hydrates it as invalidated and refetches",
    ) {
        val a = fleet.instance()
        val key = queryKey("profile", 2)
        a.client.fetchQuery(queryOptions(key, queryFn = { Profile(2, "from A", 1) }))
        a.client.invalidateQueries(queryKey("profile"))
        a.client.flush()
        fleet.redisValue(key).shouldNotBeNull() shouldContain "\"invalidated\":true"

        val c = fleet.instance()
        val callsC = AtomicInteger()
        val serverAnswers = CompletableDeferred<Unit>()
        val optionsC = queryOptions(key, queryFn = {
            serverAnswers.await()
            Profile(2, "from C", callsC.incrementAndGet())
        })
        c.client.fetchQuery(optionsC) shouldBe Profile(2, "from A", 1) // stale-while-revalidate
        c.client.storageStats().shouldNotBeNull().staleHits shouldBe 1
        c.client.getQueryState<Profile>(key).shouldNotBeNull().isInvalidated shouldBe true
        c.client.isFetching(key) shouldBe 1
        serverAnswers.complete(Unit)
        eventuallyWithin(bound) { c.client.getQueryData<Profile>(key) shouldBe Profile(2, "from C", 1) }
        callsC.get() shouldBe 1
    }

    test(
        "A removes a key B observes: B's observer starts over with its own fetch, not the entry A deleted from Redis",
    ) {
        val a = fleet.instance()
        val b = fleet.instance()
        fleet.awaitSubscribed(2)
        val key = queryKey("profile", 4)
        val callsB = AtomicInteger()
        a.client.fetchQuery(queryOptions(key, queryFn = { Profile(4, "from A", 1) }))
        a.client.flush()
        val observer = b.client.watch(queryOptions(key, queryFn = { Profile(4, "from B", callsB.incrementAndGet()) }))
        val subscription = observer.subscribe { }
        eventuallyWithin(bound) { observer.current.data shouldBe Profile(4, "from A", 1) } // hydrated
        callsB.get() shouldBe 0

        a.client.removeQueries(queryKey("profile"))
        eventuallyWithin(bound) {
            callsB.get() shouldBe 1
            observer.current.data shouldBe Profile(4, "from B", 1)
            observer.current.isFetching shouldBe false
        }
        val statsB = b.client.storageStats().shouldNotBeNull()
        statsB.hits shouldBe 1 // the first hydration
        statsB.misses shouldBe 1 // starting over: A had deleted the entry before B heard of the removal
        subscription.unsubscribe()
    }

    test("A resets a key B observes: B's observer starts over with its own fetch") {
        val a = fleet.instance()
        val b = fleet.instance()
        fleet.awaitSubscribed(2)
        val key = queryKey("profile", 3)
        val callsB = AtomicInteger()
        a.client.fetchQuery(queryOptions(key, queryFn = { Profile(3, "from A", 1) }))
        a.client.flush()
        val observer = b.client.watch(queryOptions(key, queryFn = { Profile(3, "from B", callsB.incrementAndGet()) }))
        val subscription = observer.subscribe { }
        eventuallyWithin(bound) { observer.current.data shouldBe Profile(3, "from A", 1) } // hydrated
        callsB.get() shouldBe 0

        a.client.resetQueries(queryKey("profile", 3))
        eventuallyWithin(bound) {
            callsB.get() shouldBe 1
            observer.current.data shouldBe Profile(3, "from B", 1)
            observer.current.isFetching shouldBe false
        }
        subscription.unsubscribe()
    }
})
