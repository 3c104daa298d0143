package dev.stackquery.internal.store

import dev.stackquery.QueryClock
import dev.stackquery.addObserver
import dev.stackquery.internal.query.Query
import dev.stackquery.queryKey
import dev.stackquery.removeObserver
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.TestScope
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlin.time.Duration.Companion.minutes

/** A [GcScheduler] on the test's virtual clock, started, recording `key@deadline@time` per expiry. */
private class RecordingGc(scope: TestScope) {
    val clock = QueryClock { scope.testScheduler.currentTime }
    val host = FakeQueryHost(clock, StandardTestDispatcher(scope.testScheduler))
    val expired = mutableListOf<String>()
    val gc = GcScheduler(clock) { query, deadline ->
        expired += "${query.key}@$deadline@${scope.testScheduler.currentTime}"
    }

    fun start(scope: TestScope) {
        gc.start(scope.backgroundScope)
        scope.runCurrent() // the drain loop waits for its first schedule
    }

    fun query(name: Any): Query<Any?> = host.query(queryKey(name))
}

private fun TestScope.startedGc() = RecordingGc(this).also { it.start(this) }

class GcSchedulerSpec : FunSpec({
    test("a scheduled query is reported gcTime later with its deadline, not a millisecond earlier") {
        runTest {
            val gc = startedGc()
            val q = gc.query("q")
            advanceTimeBy(250)
            gc.gc.schedule(q, 1_000)
            q.gcDeadline shouldBe 1_250
            gc.gc.scheduledCount shouldBe 1
            advanceTimeBy(999)
            runCurrent()
            gc.expired.shouldBeEmpty()
            advanceTimeBy(1)
            runCurrent()
            gc.expired shouldBe listOf("[\"q\"]@1250@1250")
            gc.gc.scheduledCount shouldBe 0
            q.gcHeapIndex shouldBe -1
            q.gcDeadline shouldBe 1_250 // kept: the store compares it with the reported deadline
            advanceTimeBy(10.minutes)
            runCurrent()
            gc.expired.size shouldBe 1 // reported once
        }
    }

    test("a zero gcTime reports the query at once") {
        runTest {
            val gc = startedGc()
            gc.gc.schedule(gc.query("now"), 0)
            runCurrent()
            gc.expired shouldBe listOf("[\"now\"]@0@0")
        }
    }

    test("queries are reported in deadline order, equal deadlines together") {
        runTest {
            val gc = startedGc()
            gc.gc.schedule(gc.query("c"), 300)
            gc.gc.schedule(gc.query("a"), 100)
            gc.gc.schedule(gc.query("b1"), 200)
            gc.gc.schedule(gc.query("b2"), 200)
            gc.gc.scheduledCount shouldBe 4
            advanceTimeBy(1_000)
            gc.expired.take(1) shouldBe listOf("[\"a\"]@100@100")
            gc.expired.subList(1, 3).sorted() shouldBe listOf("[\"b1\"]@200@200", "[\"b2\"]@200@200")
            gc.expired.last() shouldBe "[\"c\"]@300@300"
            gc.gc.scheduledCount shouldBe 0
        }
    }

    test("rescheduling later replaces the earlier deadline: the query is reported once, at the new one") {
        runTest {
            val gc = startedGc()
            val q = gc.query("q")
            gc.gc.schedule(q, 1_000)
            advanceTimeBy(500)
            gc.gc.schedule(q, 1_000)
            gc.gc.scheduledCount shouldBe 1
            advanceTimeBy(600) // t = 1,100: past the first deadline
            runCurrent()
            gc.expired.shouldBeEmpty()
            advanceTimeBy(400)
            runCurrent()
            gc.expired shouldBe listOf("[\"q\"]@1500@1500")
        }
    }

    test("rescheduling earlier wakes the sleeping timer for the new deadline") {
        runTest {
            val gc = startedGc()
            val late = gc.query("late")
            val q = gc.query("q")
            gc.gc.schedule(late, 10_000)
            gc.gc.schedule(q, 5_000)
            runCurrent() // the timer now sleeps until 5,000
            gc.gc.schedule(q, 100) // the same query, much earlier
            advanceTimeBy(101)
            gc.expired shouldBe listOf("[\"q\"]@100@100")
            val early = gc.query("early")
            gc.gc.schedule(early, 50) // a new head, before the sleeping one's 10,000
            advanceTimeBy(51)
            gc.expired shouldBe listOf("[\"q\"]@100@100", "[\"early\"]@151@151")
            advanceTimeBy(10_000)
            gc.expired.last() shouldBe "[\"late\"]@10000@10000"
        }
    }

    test("a cancelled query is never reported; the others still are") {
        runTest {
            val gc = startedGc()
            val a = gc.query("a")
            val b = gc.query("b")
            val c = gc.query("c")
            gc.gc.schedule(a, 100)
            gc.gc.schedule(b, 200)
            gc.gc.schedule(c, 300)
            gc.gc.cancel(a) // the head
            gc.gc.cancel(b)
            a.gcDeadline shouldBe Query.NO_DEADLINE
            a.gcHeapIndex shouldBe -1
            gc.gc.scheduledCount shouldBe 1
            gc.gc.cancel(a) // cancelling twice, or a query never scheduled, changes nothing
            gc.gc.cancel(gc.query("never"))
            gc.gc.scheduledCount shouldBe 1
            advanceTimeBy(10.minutes)
            gc.expired shouldBe listOf("[\"c\"]@300@300")
        }
    }

    test("an infinite gcTime never collects, and cancels a finite schedule") {
        runTest {
            val gc = startedGc()
            val forever = gc.query("forever")
            gc.gc.schedule(forever, Long.MAX_VALUE)
            gc.gc.scheduledCount shouldBe 0
            forever.gcDeadline shouldBe Query.NO_DEADLINE
            val was = gc.query("was-finite")
            gc.gc.schedule(was, 100)
            gc.gc.schedule(was, Long.MAX_VALUE)
            gc.gc.scheduledCount shouldBe 0
            advanceTimeBy(100_000.minutes)
            gc.expired.shouldBeEmpty()
        }
    }

    test("a gcTime too long to add to the clock saturates instead of wrapping into the past") {
        runTest {
            val gc = startedGc()
            advanceTimeBy(10)
            val q = gc.query("huge")
            gc.gc.schedule(q, Long.MAX_VALUE - 5)
            q.gcDeadline shouldBe Long.MAX_VALUE
            gc.gc.scheduledCount shouldBe 1
            advanceTimeBy(100_000.minutes)
            gc.expired.shouldBeEmpty()
        }
    }

    test("queries scheduled before start are reported once it runs") {
        runTest {
            val gc = RecordingGc(this)
            gc.gc.schedule(gc.query("early"), 100)
            gc.gc.schedule(gc.query("later"), 300)
            advanceTimeBy(200)
            gc.start(this) // t = 200: "early" is overdue
            gc.expired shouldBe listOf("[\"early\"]@100@200")
            advanceTimeBy(101)
            gc.expired shouldBe listOf("[\"early\"]@100@200", "[\"later\"]@300@300")
        }
    }

    test("many schedules, reschedules and cancels come out in exact deadline order") {
        runTest {
            val gc = startedGc()
            val queries = (0 until 200).map { gc.query(it) }
            // 200 distinct deadlines in a scrambled order (37 is coprime to 200), more than the initial heap capacity
            for (i in queries.indices) gc.gc.schedule(queries[i], ((i * 37) % 200 + 1) * 10L)
            for (i in 0 until 200 step 3) gc.gc.cancel(queries[i])
            for (i in 1 until 200 step 5) gc.gc.schedule(queries[i], 5_000L + i) // some cancelled ones come back
            val expected = queries.indices.filter { it % 3 != 0 || it % 5 == 1 }
                .map { i -> i to if (i % 5 == 1) 5_000L + i else ((i * 37) % 200 + 1) * 10L }
                .sortedBy { it.second }
                .map { (i, deadline) -> "[$i]@$deadline@$deadline" }
            gc.gc.scheduledCount shouldBe expected.size
            advanceTimeBy(10_000)
            gc.expired shouldBe expected
            gc.gc.scheduledCount shouldBe 0
        }
    }

    test("through its host, a query is scheduled when its last observer leaves and unscheduled when one comes") {
        runTest {
            val host = FakeQueryHost(
                QueryClock { testScheduler.currentTime },
                StandardTestDispatcher(testScheduler),
                gcTime = 1.minutes,
            )
            host.gc.start(backgroundScope)
            val q = host.query(queryKey("observed"))
            q.addObserver() shouldBe true
            q.addObserver() shouldBe true
            q.removeObserver() // one observer left: still active
            host.gc.scheduledCount shouldBe 0
            q.removeObserver() // inactive at t = 0: eligible at 60,000
            host.gc.scheduledCount shouldBe 1
            host.becameInactive shouldBe listOf(q)
            advanceTimeBy(30_000)
            q.addObserver() shouldBe true // observed again: unscheduled
            host.gc.scheduledCount shouldBe 0
            advanceTimeBy(60_000)
            host.expired.shouldBeEmpty()
            q.removeObserver() // t = 90,000: eligible at 150,000
            advanceTimeBy(59_999)
            runCurrent()
            host.expired.shouldBeEmpty()
            advanceTimeBy(1)
            runCurrent()
            host.expired shouldBe listOf(q to 150_000L)
        }
    }
})
