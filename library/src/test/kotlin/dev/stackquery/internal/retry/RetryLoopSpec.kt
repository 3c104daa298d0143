package dev.stackquery.internal.retry

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest

class RetryLoopSpec : FunSpec({
    context("retrying") {
        test("an attempt that succeeds at once is the result; nothing else is called") {
            runTest {
                val attempts = mutableListOf<Int>()
                val result = retrying(
                    RetrySchedule { _, _ -> error("not called") },
                    failure = { error("not called") },
                    onRetry = { _, _ -> error("not called") },
                    giveUp = { _, _ -> error("not called") },
                ) { attempt ->
                    attempts += attempt
                    "ok"
                }
                result shouldBe "ok"
                attempts shouldBe listOf(0)
                currentTime shouldBe 0
            }
        }

        test("retries after each failure, waiting the schedule's delays in virtual time, until a success") {
            runTest {
                val errors = (1..3).map { IllegalStateException("e$it") }
                val attempts = mutableListOf<String>()
                val retried = mutableListOf<String>()
                val result = retrying(
                    RetrySchedule.backoff(100, 1_000),
                    failure = { it },
                    onRetry = { failures, e -> retried += "$failures:${e.message}@$currentTime" },
                    giveUp = { _, _ -> error("not called") },
                ) { attempt ->
                    attempts += "$attempt@$currentTime"
                    if (attempt < 3) throw errors[attempt]
                    "done"
                }
                result shouldBe "done"
                attempts shouldBe listOf("0@0", "1@100", "2@300", "3@700")
                retried shouldBe listOf("1:e1@0", "2:e2@100", "3:e3@300") // told before each wait
            }
        }

        test("gives up when the schedule says stop: giveUp gets the count and the last failure, and its result") {
            runTest {
                var calls = 0
                val retried = mutableListOf<Int>()
                var gaveUp: Pair<Int, String?>? = null
                val result = retrying(
                    RetrySchedule.backoff(10, 10, retries = 2),
                    failure = { it },
                    onRetry = { failures, _ -> retried += failures },
                    giveUp = { failures, e ->
                        gaveUp = failures to e.message
                        "fallback"
                    },
                ) { throw IllegalStateException("fail ${++calls}") }
                result shouldBe "fallback"
                calls shouldBe 3
                retried shouldBe listOf(1, 2)
                gaveUp shouldBe (3 to "fail 3")
                currentTime shouldBe 20
            }
        }

        test("what giveUp throws is what the loop throws") {
            runTest {
                val last = IllegalStateException("down")
                val thrown = shouldThrow<IllegalStateException> {
                    retrying<String>(
                        RetrySchedule { _, _ -> null },
                        failure = { it },
                        onRetry = { _, _ -> error("not called") },
                        giveUp = { _, e -> throw e },
                    ) { throw last }
                }
                thrown shouldBeSameInstanceAs last
            }
        }

        test("the schedule and the callbacks see the failure as the failure mapper made it") {
            runTest {
                val seen = mutableListOf<String>()
                retrying(
                    RetrySchedule { failures, e ->
                        seen += "schedule:$failures:${e.message}"
                        if (failures < 2) 0 else null
                    },
                    failure = { IllegalStateException("wrapped ${it.message}", it) },
                    onRetry = { failures, e -> seen += "retry:$failures:${e.message}" },
                    giveUp = { failures, e -> seen += "giveUp:$failures:${e.message}" },
                ) { attempt -> throw RuntimeException("raw$attempt") }
                seen shouldBe listOf(
                    "schedule:1:wrapped raw0",
                    "retry:1:wrapped raw0",
                    "schedule:2:wrapped raw1",
                    "giveUp:2:wrapped raw1",
                )
            }
        }

        test("a failure mapper that rethrows stops the loop at once: no schedule, no retry, no giveUp") {
            runTest {
                val mustNotRetry = IllegalAccessError("an Error")
                var calls = 0
                val thrown = shouldThrow<IllegalAccessError> {
                    retrying<String>(
                        RetrySchedule { _, _ -> error("not called") },
                        failure = { throw it },
                        onRetry = { _, _ -> error("not called") },
                        giveUp = { _, _ -> error("not called") },
                    ) {
                        calls++
                        throw mustNotRetry
                    }
                }
                thrown shouldBeSameInstanceAs mustNotRetry
                calls shouldBe 1
            }
        }

        test("a retry policy that throws: no retry, the policy's error reported, the ORIGINAL failure given up on") {
            runTest {
                val original = IllegalStateException("query failed")
                val reported = mutableListOf<Throwable>()
                val broken = FakeRetryPolicy(retry = { _, _ -> throw UnsupportedOperationException("policy bug") })
                var calls = 0
                val thrown = shouldThrow<IllegalStateException> {
                    retrying<String>(
                        RetrySchedule.of(3, broken) { reported += it },
                        failure = { it },
                        onRetry = { _, _ -> error("not called") },
                        giveUp = { failures, e ->
                            failures shouldBe 1
                            throw e
                        },
                    ) {
                        calls++
                        throw original
                    }
                }
                thrown shouldBeSameInstanceAs original
                calls shouldBe 1
                reported.map { it.message } shouldBe listOf("policy bug")
            }
        }

        // The loop must end with the query's failure, not the policy's NotImplementedError.
        test("a retry policy throwing a non-fatal Error: no retry, and the ORIGINAL failure surfaces") {
            runTest {
                val original = IllegalStateException("query failed")
                val broken = FakeRetryPolicy(retry = { _, _ -> TODO("policy not written") })
                val thrown = shouldThrow<Throwable> {
                    retrying<String>(
                        RetrySchedule.of(3, broken) { },
                        failure = { it },
                        onRetry = { _, _ -> error("not called") },
                        giveUp = { _, e -> throw e },
                    ) { throw original }
                }
                thrown shouldBeSameInstanceAs original
            }
        }

        test("the sleep variant waits with the given function instead of delay") {
            runTest {
                val waits = mutableListOf<Long>()
                var calls = 0
                val result = retrying(
                    RetrySchedule.backoff(100, 1_000),
                    failure = { it },
                    onRetry = { _, _ -> },
                    giveUp = { _, _ -> error("not called") },
                    sleep = { waits += it },
                ) {
                    if (++calls < 4) throw IllegalStateException()
                    calls
                }
                result shouldBe 4
                waits shouldBe listOf(100L, 200L, 400L)
                currentTime shouldBe 0 // no virtual time passed
            }
        }

        test("cancelled during a wait, the loop makes no further attempt") {
            runTest {
                var calls = 0
                val job = launch {
                    retrying<Unit>(
                        RetrySchedule { _, _ -> 1_000 },
                        failure = { it },
                        onRetry = { _, _ -> },
                        giveUp = { _, _ -> },
                    ) {
                        calls++
                        throw IllegalStateException()
                    }
                }
                runCurrent()
                advanceTimeBy(1_500) // attempts at 0 and 1,000; waiting until 2,000
                calls shouldBe 2
                job.cancel()
                advanceTimeBy(10_000)
                calls shouldBe 2
                job.isCancelled shouldBe true
            }
        }
    }
})
