package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

class RetryPolicySpec : FunSpec({
    val error = IllegalStateException("down")

    test("DEFAULT doubles from 1 s and caps at 30 s") {
        (1..7).map { RetryPolicy.DEFAULT.delayMillis(it, error) } shouldContainExactly
            listOf(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L)
    }

    test("DEFAULT stays at the cap for very large failure counts without overflowing") {
        for (n in listOf(31, 32, 62, 63, 64, 100, 1_000, Int.MAX_VALUE)) {
            RetryPolicy.DEFAULT.delayMillis(n, error) shouldBe 30_000L
        }
    }

    test("DEFAULT retries every error") {
        RetryPolicy.DEFAULT.shouldRetry(1, error) shouldBe true
        RetryPolicy.DEFAULT.shouldRetry(50, RuntimeException()) shouldBe true
    }

    test("a failure count below 1 waits the initial delay") {
        RetryPolicy.DEFAULT.delayMillis(0, error) shouldBe 1_000L
        RetryPolicy.DEFAULT.delayMillis(-5, error) shouldBe 1_000L
    }

    test("exponential honours its initial and maximum delay") {
        val policy = RetryPolicy.exponential(initialDelay = 100.milliseconds, maxDelay = 1.seconds)
        (1..6).map { policy.delayMillis(it, error) } shouldContainExactly
            listOf(100L, 200L, 400L, 800L, 1_000L, 1_000L)
    }

    test("an infinite maximum delay never overflows") {
        val policy = RetryPolicy.exponential(initialDelay = 1.seconds, maxDelay = Duration.INFINITE)
        policy.delayMillis(10, error) shouldBe 512_000L
        policy.delayMillis(100, error) shouldBe Long.MAX_VALUE
    }

    test("fixed waits the same delay after every failure") {
        val policy = RetryPolicy.fixed(5.milliseconds)
        (1..10).map { policy.delayMillis(it, error) }.toSet() shouldBe setOf(5L)
        RetryPolicy.fixed(java.time.Duration.ofMillis(5)).delayMillis(3, error) shouldBe 5L
        RetryPolicy.fixed(Duration.ZERO).delayMillis(4, error) shouldBe 0L
        policy.shouldRetry(1, error) shouldBe true
    }

    test("jitter 0.5 keeps every delay within half to all of the base, and varies") {
        val policy = RetryPolicy.exponential(initialDelay = 1.seconds, maxDelay = 30.seconds, jitter = 0.5)
        for (failure in listOf(1, 3, 6)) {
            val base = RetryPolicy.DEFAULT.delayMillis(failure, error)
            val draws = List(1_000) { policy.delayMillis(failure, error) }
            draws.forEach {
                it shouldBeGreaterThanOrEqual base / 2
                it shouldBeLessThanOrEqual base
            }
            draws.toSet().size shouldBeGreaterThan 1
        }
    }

    test("full jitter stays within zero to the base") {
        val policy = RetryPolicy.exponential(initialDelay = 1.seconds, maxDelay = 30.seconds, jitter = 1.0)
        List(1_000) { policy.delayMillis(2, error) }.forEach {
            it shouldBeGreaterThanOrEqual 0L
            it shouldBeLessThanOrEqual 2_000L
        }
    }

    test("jitter outside 0..1 is rejected naming jitter") {
        for (jitter in listOf(-0.1, 1.01, Double.NaN, Double.POSITIVE_INFINITY)) {
            shouldThrow<IllegalArgumentException> { RetryPolicy.exponential(jitter = jitter) }
                .message shouldContain "jitter"
        }
    }

    test("negative delays are rejected naming the field") {
        shouldThrow<IllegalArgumentException> { RetryPolicy.exponential(initialDelay = (-1).milliseconds) }
            .message shouldContain "initialDelay"
        shouldThrow<IllegalArgumentException> { RetryPolicy.exponential(maxDelay = (-1).seconds) }
            .message shouldContain "maxDelay"
        shouldThrow<IllegalArgumentException> {
            RetryPolicy.exponential(
                java.time.Duration.ofMillis(-1),
                java.time.Duration.ofSeconds(1),
                0.0,
            ) { _, _ -> true }
        }.message shouldContain "initialDelay"
        shouldThrow<IllegalArgumentException> { RetryPolicy.fixed((-5).milliseconds) }.message shouldStartWith "delay "
    }

    test("a maximum delay below the initial delay is rejected naming both") {
        val e = shouldThrow<IllegalArgumentException> {
            RetryPolicy.exponential(initialDelay = 2.seconds, maxDelay = 1.seconds)
        }
        e.message shouldContain "maxDelay"
        e.message shouldContain "initialDelay"
    }

    test("the predicate is consulted with the failure count and the error") {
        val seen = mutableListOf<Pair<Int, Throwable>>()
        val policy = RetryPolicy.exponential(retryOn = { n, e ->
            seen += n to e
            n < 3 && e !is IllegalArgumentException
        })
        val other = IllegalArgumentException("bad request")
        policy.shouldRetry(1, error) shouldBe true
        policy.shouldRetry(2, error) shouldBe true
        policy.shouldRetry(3, error) shouldBe false
        policy.shouldRetry(1, other) shouldBe false
        seen shouldContainExactly listOf(1 to error, 2 to error, 3 to error, 1 to other)
    }

    test("the predicate does not change the delay") {
        val policy = RetryPolicy.exponential(retryOn = { _, _ -> false })
        policy.delayMillis(2, error) shouldBe 2_000L
    }
})
