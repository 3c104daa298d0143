@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.common

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

class DurationChecksSpec : FunSpec({
    test("requirePositiveFinite returns a positive finite duration as it is") {
        requirePositiveFinite(2.seconds, "timeout") shouldBe 2.seconds
        requirePositiveFinite(1.milliseconds, "timeout") shouldBe 1.milliseconds
    }

    test("requirePositiveFinite rejects zero, negative and infinite durations, naming the field") {
        for (bad in listOf(Duration.ZERO, (-1).seconds, Duration.INFINITE)) {
            shouldThrow<IllegalArgumentException> { requirePositiveFinite(bad, "commandTimeout") }
                .message shouldBe "commandTimeout must be positive and finite, was $bad"
        }
    }
})
