package dev.stackquery.storage.redis

import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import dev.stackquery.testing.ChildJvm
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.nulls.shouldNotBeNull
import io.kotest.matchers.shouldBe
import java.util.UUID
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * Two JVM processes sharing Redis: this one and a [FleetChild] started with [ChildJvm]. The
 * child's class path is this JVM's, so it runs the code under test.
 */
class RedisFleetProcessSpec : FunSpec({
    extension(RequiresRedis)

    lateinit var fleet: Fleet

    beforeTest { fleet = Fleet() }
    afterTest { fleet.release() }

    fun child(vararg args: String) = ChildJvm(
        FleetChild::class.java.name,
        args[0],
        TestRedis.URI,
        fleet.namespace,
        fleet.channel,
        *args.drop(1).toTypedArray(),
    )

    test("what another JVM fetched and flushed is returned here from Redis without calling the query function") {
        val value = "from the child ${UUID.randomUUID()}"
        child("persist", value).use { child ->
            withClue(child::diagnostics) {
                child.nextLine() shouldBe "PERSISTED $value"
                child.exitStatus() shouldBe 0
            }
        }

        val parent = fleet.instance()
        val calls = AtomicInteger()
        parent.client.fetchQuery(
            queryOptions(FleetChild.PERSISTED, queryFn = {
                "parent ${calls.incrementAndGet()}"
            }),
        ) shouldBe
            value
        calls.get() shouldBe 0
        parent.client.storageStats().shouldNotBeNull().hits shouldBe 1
    }

    test("an invalidation here makes the other JVM's observer refetch") {
        val parent = fleet.instance()
        child("watch").use { child ->
            withClue(child::diagnostics) {
                child.nextLine() shouldBe "READY child-fetch-1"
                fleet.awaitSubscribed(2) // the parent's transport and the child's
                parent.client.invalidateQueries(queryKey("fleet"))
                child.nextLine(within = 10.seconds) shouldBe "REFETCHED child-fetch-2"
                child.exitStatus() shouldBe 0
            }
        }
    }
})
