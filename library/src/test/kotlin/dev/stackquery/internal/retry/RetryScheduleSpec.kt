package dev.stackquery.internal.retry

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe

private fun RetrySchedule.delays(failures: IntRange, error: Throwable = RuntimeException()): List<Long?> =
    failures.map { nextDelayMillis(it, error) }

class RetryScheduleSpec : FunSpec({
    context("RetrySchedule.backoff") {
        test("doubles from the base after each failure, capped at the maximum") {
            RetrySchedule.backoff(baseMillis = 100, maxMillis = 1_000).delays(1..7) shouldBe
                listOf(100L, 200L, 400L, 800L, 1_000L, 1_000L, 1_000L)
            RetrySchedule.backoff(baseMillis = 250, maxMillis = 250).delays(1..3) shouldBe listOf(250L, 250L, 250L)
        }

        test("gives up after the given number of retries") {
            RetrySchedule.backoff(100, 5_000, retries = 3).delays(1..5) shouldBe listOf(100L, 200L, 400L, null, null)
            RetrySchedule.backoff(100, 5_000, retries = 0).nextDelayMillis(1, RuntimeException()) shouldBe null
        }

        test("by default never gives up, and never overflows however many failures") {
            val schedule = RetrySchedule.backoff(100, 5_000)
            schedule.nextDelayMillis(1_000, RuntimeException()) shouldBe 5_000
            schedule.nextDelayMillis(Int.MAX_VALUE, RuntimeException()) shouldBe 5_000
        }

        test("doubling stops after 20 doublings (the shift guard), below a maximum further away than that") {
            // Not what the KDoc's "doubled ... up to maxMillis" says, but only reachable with
            // maxMillis > baseMillis * 2^20 (over 29 hours for the L2 writer's base of 100 ms).
            val schedule = RetrySchedule.backoff(baseMillis = 1, maxMillis = Long.MAX_VALUE)
            schedule.delays(20..23) shouldBe listOf(1L shl 19, 1L shl 20, 1L shl 20, 1L shl 20)
            schedule.nextDelayMillis(64, RuntimeException()) shouldBe (1L shl 20)
        }
    }

    context("RetrySchedule.of") {
        test("at most `retries` retries, with the policy's delays; the policy is not asked past them") {
            val policy = FakeRetryPolicy()
            val schedule = RetrySchedule.of(3, policy) { error("not called") }
            schedule.delays(1..4) shouldBe listOf(10L, 20L, 30L, null)
            policy.shouldRetryCalls shouldBe listOf(1, 2, 3)
            policy.delayCalls shouldBe listOf(1, 2, 3)
        }

        test("no retries at all with retries = 0") {
            val policy = FakeRetryPolicy()
            RetrySchedule.of(0, policy) { error("not called") }.nextDelayMillis(1, RuntimeException()) shouldBe null
            policy.shouldRetryCalls.shouldBeEmpty()
        }

        test("shouldRetry false gives up, with the error it was asked about; no delay is asked") {
            val fatal = IllegalArgumentException("4xx")
            val policy = FakeRetryPolicy(retry = { _, e -> e !== fatal })
            val schedule = RetrySchedule.of(5, policy) { error("not called") }
            schedule.nextDelayMillis(1, RuntimeException("5xx")) shouldBe 10
            schedule.nextDelayMillis(2, fatal) shouldBe null
            policy.delayCalls shouldBe listOf(1)
        }

        test("a negative delay counts as 0") {
            RetrySchedule.of(1, FakeRetryPolicy(delay = { _, _ -> -5 })) { error("not called") }
                .nextDelayMillis(1, RuntimeException()) shouldBe 0
        }

        test("shouldRetry throwing is reported and means do not retry") {
            val policyBug = IllegalStateException("policy bug")
            val reported = mutableListOf<Throwable>()
            val schedule = RetrySchedule.of(3, FakeRetryPolicy(retry = { _, _ -> throw policyBug })) { reported += it }
            schedule.nextDelayMillis(1, RuntimeException()) shouldBe null
            reported shouldBe listOf(policyBug)
        }

        test("delayMillis throwing is reported and means retry at once") {
            val policyBug = ArithmeticException("/ by zero")
            val reported = mutableListOf<Throwable>()
            val schedule = RetrySchedule.of(3, FakeRetryPolicy(delay = { _, _ -> throw policyBug })) { reported += it }
            schedule.nextDelayMillis(1, RuntimeException()) shouldBe 0
            reported shouldBe listOf(policyBug)
        }

        // A policy throwing a non-fatal Error (NotImplementedError, AssertionError) is a broken policy like any other.
        test("shouldRetry throwing a non-fatal Error means do not retry, like an Exception") {
            val schedule = RetrySchedule.of(3, FakeRetryPolicy(retry = { _, _ -> TODO("policy not written") })) { }
            schedule.nextDelayMillis(1, RuntimeException()) shouldBe null
        }
    }
})
