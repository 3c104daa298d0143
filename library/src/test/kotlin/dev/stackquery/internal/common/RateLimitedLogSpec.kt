@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.common

import dev.stackquery.testing.ManualClock
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

class RateLimitedLogSpec : FunSpec({
    test("the first message is admitted, with nothing suppressed") {
        RateLimitedLog(60_000, ManualClock()).admit() shouldBe 0
    }

    test("messages within the interval are suppressed; the first after it is admitted with their count") {
        val clock = ManualClock()
        val log = RateLimitedLog(60_000, clock)
        log.admit() shouldBe 0
        clock.advanceBy(1.seconds)
        log.admit() shouldBe null
        clock.advanceBy(58.seconds)
        log.admit() shouldBe null
        clock.advanceBy(999.milliseconds) // 59.999 s after the admitted one
        log.admit() shouldBe null
        clock.advanceBy(1.milliseconds) // exactly the interval
        log.admit() shouldBe 3
        log.admit() shouldBe null
        clock.advanceBy(60.seconds)
        log.admit() shouldBe 1
        clock.advanceBy(60.seconds)
        log.admit() shouldBe 0
    }

    test("a clock that goes backwards starts a new interval instead of silencing messages") {
        val clock = ManualClock()
        val log = RateLimitedLog(60_000, clock)
        log.admit() shouldBe 0
        clock.set(clock.nowMillis() - 10_000) // 10 s back
        log.admit() shouldBe 0
        log.admit() shouldBe null
    }

    test("suppressedNote tells how many were suppressed, and nothing for none") {
        RateLimitedLog.suppressedNote(0) shouldBe ""
        RateLimitedLog.suppressedNote(3) shouldBe " (3 similar messages suppressed)"
    }

    test("the interval must be positive") {
        shouldThrow<IllegalArgumentException> { RateLimitedLog(0) }.message shouldBe
            "intervalMillis must be positive, was 0"
    }
})
