package dev.stackquery.internal.persistence

import dev.stackquery.QueryClock
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe

/** A hand-driven clock. */
private class ManualClock(var now: Long = 0) : QueryClock {
    override fun nowMillis(): Long = now
}

class CircuitBreakerSpec : FunSpec({
    fun breaker(clock: ManualClock, threshold: Int = 3, coolDown: Long = 1_000) =
        CircuitBreaker(threshold, coolDown, clock)

    test("closed: every call may go, and failures below the threshold keep it closed") {
        val b = breaker(ManualClock())
        b.isOpen shouldBe false
        b.tryAcquire() shouldBe true
        b.onFailure() shouldBe false
        b.tryAcquire() shouldBe true
        b.onFailure() shouldBe false
        b.isOpen shouldBe false
        b.tryAcquire() shouldBe true
        b.millisUntilProbe() shouldBe 0
    }

    test("opens on the threshold-th consecutive failure and refuses calls for the cool-down") {
        val clock = ManualClock(now = 5_000)
        val b = breaker(clock)
        b.onFailure() shouldBe false
        b.onFailure() shouldBe false
        b.onFailure() shouldBe true // the 3rd: opens
        b.isOpen shouldBe true
        b.tryAcquire() shouldBe false
        b.millisUntilProbe() shouldBe 1_000
        clock.now = 5_999
        b.tryAcquire() shouldBe false
        b.millisUntilProbe() shouldBe 1
    }

    test("a success resets the count: only consecutive failures open it") {
        val b = breaker(ManualClock())
        b.onFailure()
        b.onFailure()
        b.onSuccess()
        b.onFailure() shouldBe false
        b.onFailure() shouldBe false
        b.isOpen shouldBe false
        b.onFailure() shouldBe true
    }

    test("a threshold of 1 opens on the first failure") {
        val b = breaker(ManualClock(), threshold = 1)
        b.onFailure() shouldBe true
        b.isOpen shouldBe true
    }

    test("after the cool-down exactly one probe goes; the others wait for its outcome") {
        val clock = ManualClock()
        val b = breaker(clock)
        repeat(3) { b.onFailure() }
        clock.now = 1_000 // the cool-down ends
        b.millisUntilProbe() shouldBe 0
        b.tryAcquire() shouldBe true // the probe (half-open)
        b.isOpen shouldBe true // still open while it runs
        b.tryAcquire() shouldBe false
        b.millisUntilProbe() shouldBe 0 // a probe is out
        clock.now = 50_000
        b.tryAcquire() shouldBe false // however long it takes
    }

    test("the probe's success closes the breaker") {
        val clock = ManualClock()
        val b = breaker(clock)
        repeat(3) { b.onFailure() }
        clock.now = 1_500
        b.tryAcquire() shouldBe true
        b.onSuccess()
        b.isOpen shouldBe false
        b.tryAcquire() shouldBe true
        b.tryAcquire() shouldBe true
        b.onFailure() shouldBe false // counting starts again from zero
        b.onFailure() shouldBe false
        b.onFailure() shouldBe true
    }

    test("the probe's failure re-opens it at once, for a new cool-down from the failure") {
        val clock = ManualClock()
        val b = breaker(clock)
        repeat(3) { b.onFailure() }
        clock.now = 1_000
        b.tryAcquire() shouldBe true
        clock.now = 1_200 // the probe fails 200 ms later
        b.onFailure() shouldBe true
        b.isOpen shouldBe true
        b.tryAcquire() shouldBe false
        b.millisUntilProbe() shouldBe 1_000
        clock.now = 2_199
        b.tryAcquire() shouldBe false
        clock.now = 2_200
        b.tryAcquire() shouldBe true // the next probe
    }

    test("a probe whose caller was cancelled (release) lets the next call probe instead") {
        val clock = ManualClock()
        val b = breaker(clock)
        repeat(3) { b.onFailure() }
        clock.now = 1_000
        b.tryAcquire() shouldBe true
        b.tryAcquire() shouldBe false
        b.release()
        b.isOpen shouldBe true // no outcome: still open
        b.millisUntilProbe() shouldBe 0
        b.tryAcquire() shouldBe true // a new probe, with no new cool-down
        b.onSuccess()
        b.isOpen shouldBe false
    }

    test("release on a closed breaker changes nothing") {
        val b = breaker(ManualClock())
        b.tryAcquire() shouldBe true
        b.release()
        b.isOpen shouldBe false
        b.tryAcquire() shouldBe true
    }

    test("a failure reported while open (a call acquired before it opened) restarts the cool-down") {
        val clock = ManualClock()
        val b = breaker(clock)
        repeat(3) { b.onFailure() }
        clock.now = 400
        b.onFailure() shouldBe true
        b.millisUntilProbe() shouldBe 1_000
    }

    test("a cool-down too long to add to the clock saturates: open for good, never wrapping to closed") {
        val clock = ManualClock(now = 10)
        val b = breaker(clock, threshold = 1, coolDown = Long.MAX_VALUE)
        b.onFailure() shouldBe true
        b.isOpen shouldBe true
        clock.now = Long.MAX_VALUE - 1
        b.tryAcquire() shouldBe false
        b.millisUntilProbe() shouldBe 1
    }
})
