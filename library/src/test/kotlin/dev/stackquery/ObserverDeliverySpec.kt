package dev.stackquery

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executor
import java.util.concurrent.Executors
import java.util.concurrent.RejectedExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread
import kotlin.time.Duration.Companion.milliseconds

/** An executor that only queues its tasks; [runAll] runs them, by hand, on the calling thread. */
private class QueueingExecutor : Executor {
    private val tasks = ArrayDeque<Runnable>()
    var running = false
        private set

    val pending: Int get() = synchronized(tasks) { tasks.size }

    override fun execute(command: Runnable) {
        synchronized(tasks) { tasks.addLast(command) }
    }

    fun runAll() {
        while (true) {
            val task = synchronized(tasks) { tasks.removeFirstOrNull() } ?: return
            running = true
            try {
                task.run()
            } finally {
                running = false
            }
        }
    }
}

class ObserverDeliverySpec : FunSpec({
    val key = queryKey("delivery")

    test(
        "subscribe with an executor delivers every state, the first included, only through the executor",
    ) {
        runTest {
            val client = testClient()
            client.setQueryData(key, "v0")
            val observer = client.watch(QueryOptions(key, { "fetched" }, enabled = false))
            val executor = QueueingExecutor()
            val deliveries = Collections.synchronizedList(mutableListOf<Triple<String, Thread, Boolean>>())
            lateinit var subscription: Subscription
            val subscriber = thread(name = "subscriber") {
                subscription =
                    observer.subscribe({
                        deliveries += Triple(it.brief(), Thread.currentThread(), executor.running)
                    }, executor)
            }
            subscriber.join()
            deliveries.toList() shouldBe emptyList() // not even the first on the subscribing thread
            executor.pending shouldBe 1

            executor.runAll()
            deliveries.toList() shouldBe listOf(Triple("SUCCESS/IDLE/v0/0", Thread.currentThread(), true))

            client.setQueryData(key, "v1")
            client.setQueryData(key, "v2")
            runCurrent()
            advanceTimeBy(1_000.milliseconds)
            runCurrent()
            deliveries.size shouldBe 1 // nothing until the executor runs
            executor.pending shouldBe 1

            executor.runAll()
            deliveries.toList() shouldBe listOf(
                Triple("SUCCESS/IDLE/v0/0", Thread.currentThread(), true),
                Triple("SUCCESS/IDLE/v1/0", Thread.currentThread(), true),
                Triple("SUCCESS/IDLE/v2/0", Thread.currentThread(), true),
            )
            subscription.unsubscribe()
            client.setQueryData(key, "v3")
            executor.runAll()
            deliveries.size shouldBe 3
            client.close()
        }
    }

    test("deliveries for one subscription come in order and never concurrently, even on a thread pool") {
        runTest {
            val client = testClient()
            val writes = 2_000
            client.setQueryData(key, 0)
            val observer = client.watch(QueryOptions(key, { -1 }, enabled = false))
            val pool = Executors.newFixedThreadPool(8)
            val inListener = AtomicInteger()
            val maxConcurrent = AtomicInteger()
            val received = Collections.synchronizedList(mutableListOf<Int>())
            val done = CountDownLatch(1)
            val subscription = observer.subscribe({ state ->
                val now = inListener.incrementAndGet()
                maxConcurrent.accumulateAndGet(now) { a, b -> maxOf(a, b) }
                repeat(50) { Thread.yield() } // widen the window for an overlapping call
                received += state.data!!
                inListener.decrementAndGet()
                if (state.data == writes) done.countDown()
            }, pool)
            val writer = thread { for (i in 1..writes) client.setQueryData(key, i) }
            writer.join()
            done.await(30, TimeUnit.SECONDS) shouldBe true
            pool.shutdown()
            pool.awaitTermination(30, TimeUnit.SECONDS) shouldBe true

            maxConcurrent.get() shouldBe 1
            received.toList() shouldBe (0..writes).toList()
            subscription.unsubscribe()
            client.close()
        }
    }

    test("with several writers the last delivery is the final state, and calls never overlap") {
        runTest {
            val client = testClient()
            client.setQueryData(key, "start")
            val observer = client.watch(QueryOptions(key, { "fetched" }, enabled = false))
            val pool = Executors.newFixedThreadPool(8)
            val inListener = AtomicInteger()
            val maxConcurrent = AtomicInteger()
            val last = java.util.concurrent.atomic.AtomicReference<QueryState<String>>()
            val subscription = observer.subscribe({ state ->
                maxConcurrent.accumulateAndGet(inListener.incrementAndGet()) { a, b -> maxOf(a, b) }
                last.set(state)
                inListener.decrementAndGet()
            }, pool)
            val writers = List(4) { w -> thread { repeat(500) { client.setQueryData(key, "w$w-$it") } } }
            writers.forEach { it.join() }
            pool.shutdown() // already-queued drains still run
            pool.awaitTermination(30, TimeUnit.SECONDS) shouldBe true

            maxConcurrent.get() shouldBe 1
            last.get() shouldBe observer.current
            last.get().data shouldBe client.getQueryData<String>(key)
            subscription.unsubscribe()
            client.close()
        }
    }

    test("an executor that rejects does not break the cache or other listeners") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val rejected = mutableListOf<String>()
            val healthy = mutableListOf<String>()
            val rejecting = Executor { throw RejectedExecutionException("shut down") }
            val bad = observer.subscribe({ rejected += it.brief() }, rejecting)
            observer.subscribe { healthy += it.brief() }
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()

            rejected shouldBe emptyList() // even the first goes through the executor, which refuses it
            healthy shouldBe listOf("PENDING/FETCHING/null/0", "SUCCESS/IDLE/v1/0")
            client.getQueryState<String>(key)!!.brief() shouldBe "SUCCESS/IDLE/v1/0"
            fetcher.calls shouldBe 1
            bad.isSubscribed shouldBe true
            bad.unsubscribe()
            bad.isSubscribed shouldBe false
            observer.refetch().brief() shouldBe "SUCCESS/IDLE/v2/0"
            runCurrent()
            healthy.last() shouldBe "SUCCESS/IDLE/v2/0"
            client.close()
        }
    }

    test("10,000 concurrent StateFlow collectors on one key all receive the final state from one fetch") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "shared" }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val received = mutableListOf<QueryState<String>>()
            val jobs = List(10_000) {
                launch { received += observer.state.first { it.isSuccess } }
            }
            runCurrent()
            client.query<String>(key).observerCount shouldBe 1 // one observer, however many collectors
            advanceTimeBy(100.milliseconds)
            runCurrent()

            jobs.all { it.isCompleted } shouldBe true
            received.size shouldBe 10_000
            received.map { it.brief() }.toSet() shouldBe setOf("SUCCESS/IDLE/shared/0")
            fetcher.calls shouldBe 1
            client.query<String>(key).observerCount shouldBe 0 // the last collector detached it
            client.close()
        }
    }

    test("closing the client ends every collector with a CancellationException and every subscription") {
        runTest {
            val client = testClient()
            val fetcher = FakeFetcher { "v$it" }
            val observer = client.watch(QueryOptions(key, { fetcher() }))
            val ended = Collections.synchronizedList(mutableListOf<Throwable>())
            val jobs: List<Job> = List(1_000) {
                launch {
                    try {
                        observer.state.collect {}
                    } catch (e: Throwable) {
                        ended += e
                        throw e
                    }
                }
            }
            val subscription = observer.subscribe {}
            runCurrent()
            advanceTimeBy(100.milliseconds)
            runCurrent()
            jobs.none { it.isCompleted } shouldBe true

            client.close()
            runCurrent()
            jobs.all { it.isCompleted } shouldBe true
            ended.size shouldBe 1_000
            ended.forEach { it.shouldBeInstanceOf<CancellationException>() }
            subscription.isSubscribed shouldBe false
            observer.current.brief() shouldBe "SUCCESS/IDLE/v1/0" // the last state stays readable

            val late = client.watch(QueryOptions(queryKey("late"), { fetcher() }))
            val lateEnd = runCatching { late.state.collect {} }.exceptionOrNull()
            lateEnd.shouldBeInstanceOf<CancellationException>()
            fetcher.calls shouldBe 1
        }
    }

    test("a listener unsubscribed before its executor ran the first delivery is never called") {
        runTest {
            val client = testClient()
            client.setQueryData(key, "v0")
            val observer = client.watch(QueryOptions(key, { "fetched" }, enabled = false))
            val executor = QueueingExecutor()
            val deliveries = mutableListOf<String>()
            val subscription = observer.subscribe({ deliveries += it.brief() }, executor)
            subscription.unsubscribe()
            executor.runAll()
            deliveries shouldBe emptyList()
            client.close()
        }
    }
})
