package dev.stackquery.storage.exposed

import dev.stackquery.QueryKey
import dev.stackquery.QueryOptions
import dev.stackquery.QueryStatus
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.testing.RecordingSyncListener
import dev.stackquery.testing.TcpProxy
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.nulls.shouldBeNull
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonArray
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/** Two QueryClients in one JVM sharing PostgreSQL: an ExposedStorage table and a PostgresSyncTransport channel. */
class PostgresFleetSpec : FunSpec({
    lateinit var fleet: PostgresFleet
    val closing = mutableListOf<AutoCloseable>()

    beforeTest { if (TestServices.postgres.reachable) fleet = PostgresFleet.create() }
    afterTest {
        closing.forEach { it.close() }
        closing.clear()
        if (TestServices.postgres.reachable) fleet.release()
    }

    postgresTest("invalidate, set, remove and reset on A reach B") {
        val a = fleet.instance()
        val b = fleet.instance()
        awaitHears(b, a)
        val calls = AtomicInteger()
        fun held(id: Int) = queryOptions(queryKey("user", id), queryFn = { "b-$id-${calls.incrementAndGet()}" })
        for (id in 1..4) b.fetchQuery(held(id))
        a.fetchQuery(queryOptions(queryKey("user", 2), queryFn = { "a-2" })) // A holds it too, with a codec

        a.invalidateQueries(queryKey("user", 1))
        eventually(5.seconds) {
            b.getQueryState<String>(queryKey("user", 1)).shouldNotBeNull().isInvalidated shouldBe
                true
        }

        a.setQueryData(queryKey("user", 2), "set by a")
        eventually(5.seconds) { b.getQueryData<String>(queryKey("user", 2)) shouldBe "set by a" }

        a.removeQueries(queryKey("user", 3))
        eventually(5.seconds) { b.getQueryState<String>(queryKey("user", 3)).shouldBeNull() }

        a.resetQueries(queryKey("user", 4))
        eventually(5.seconds) {
            val reset = b.getQueryState<String>(queryKey("user", 4)).shouldNotBeNull()
            reset.status shouldBe QueryStatus.IDLE
            reset.hasData shouldBe false
        }
        b.getQueryState<String>(queryKey("user", 2)).shouldNotBeNull().isInvalidated shouldBe false
        calls.get() shouldBe 4 // no refetch: nothing was observed
    }

    postgresTest(
        "a burst of 10,000 invalidations leaves every one of B's queries invalidated: all sent, or collapsed into one invalidate-all",
    ) {
        val a = fleet.instance()
        val b = fleet.instance(cacheMaxSize = 20_000)
        val witness = PostgresSyncTransport.create(POSTGRES_URL, fleet.channel).also { closing += it }
        val heard = RecordingSyncListener()
        witness.start(heard)
        awaitHears(b, a)
        heard.pending() // the probes
        val keys = (0 until 10_000).map { queryKey("item", it) }
        for (key in keys) b.fetchQuery(QueryOptions(key, queryFn = { "held" })) // fetched: nothing published

        for (key in keys) a.invalidateQueries(key)

        eventually(60.seconds) { keys.count { b.getQueryState<String>(it)!!.isInvalidated } shouldBe keys.size }
        // What went over the wire: the 10,000 invalidations, or fewer and one of everything (the outbox overflowed).
        val seen = HashSet<QueryKey>()
        var everything = false
        while (!everything && seen.size < keys.size) {
            val message = Json.parseToJsonElement(heard.next().single().removePrefix("message:")) as JsonObject
            val segments = message.getValue("key").jsonArray
            if (segments.firstOrNull()?.toString() == "\"probe\"") continue // awaitHears' last steps
            message["op"].toString() shouldBe "\"invalidate\""
            if (segments.isEmpty()) everything = true else seen += queryKey("item", segments[1].toString().toInt())
        }
        println(
            "burst of 10,000 invalidations: ${seen.size} sent one by one, collapsed into invalidate-all: $everything",
        )
        (everything || seen.size == keys.size) shouldBe true
    }

    postgresTest(
        "cut off, A misses B's invalidation; after the restore it invalidates everything it holds, and hears B again",
    ) {
        val proxy = TcpProxy("127.0.0.1", 5432).also { closing += it }
        val a = fleet.instance(url = postgresUrlThrough(proxy.port), timeout = 1.seconds)
        val b = fleet.instance()
        val witness = PostgresSyncTransport.create(POSTGRES_URL, fleet.channel).also { closing += it }
        val heard = RecordingSyncListener()
        witness.start(heard)
        awaitHears(a, b)
        val held = queryKey("stock", 1)
        val calls = AtomicInteger()
        a.fetchQuery(queryOptions(held, queryFn = { "a-${calls.incrementAndGet()}" })) shouldBe "a-1"

        proxy.cut()
        heard.pending() // the probes
        b.invalidateQueries(queryKey("stock"))
        heard.next().single() shouldContain "\"key\":[\"stock\"]" // published, while A could not hear it
        a.getQueryState<String>(held).shouldNotBeNull().isInvalidated shouldBe false

        proxy.restore()
        eventually(15.seconds) { a.getQueryState<String>(held).shouldNotBeNull().isInvalidated shouldBe true }
        awaitHears(a, b)
    }

    postgresTest("a set larger than a notification reaches B whole, through the message table") {
        val a = fleet.instance()
        val b = fleet.instance()
        awaitHears(b, a)
        val key = queryKey("doc", 1)
        val large = "z".repeat(20_000)
        b.fetchQuery(queryOptions(key, queryFn = { "small" }))
        a.fetchQuery(queryOptions(key, queryFn = { "small" }))

        a.setQueryData(key, large)

        eventually(5.seconds) { b.getQueryData<String>(key)?.length shouldBe 20_000 }
        b.getQueryState<String>(key).shouldNotBeNull().isInvalidated shouldBe false // taken as data, not invalidated
    }
})
