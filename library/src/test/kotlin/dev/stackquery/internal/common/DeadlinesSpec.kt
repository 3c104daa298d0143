@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.internal.common

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

class DeadlinesSpec : FunSpec({
    test("saturatedAdd adds when the sum fits") {
        saturatedAdd(1_000, 234) shouldBe 1_234
        saturatedAdd(-5, 3) shouldBe -2
        saturatedAdd(Long.MAX_VALUE - 1, 1) shouldBe Long.MAX_VALUE
    }

    test("saturatedAdd saturates at Long.MAX_VALUE instead of overflowing into the past") {
        saturatedAdd(Long.MAX_VALUE, 1) shouldBe Long.MAX_VALUE
        saturatedAdd(1_700_000_000_000, Long.MAX_VALUE) shouldBe Long.MAX_VALUE
    }

    test("saturatedAdd saturates at Long.MIN_VALUE below") {
        saturatedAdd(Long.MIN_VALUE, -1) shouldBe Long.MIN_VALUE
    }

    test("expiresAt is never for a null or infinite ttl") {
        expiresAt(1_000, null) shouldBe Long.MAX_VALUE
        expiresAt(1_000, Duration.INFINITE) shouldBe Long.MAX_VALUE
    }

    test("expiresAt is now plus the ttl in whole milliseconds") {
        expiresAt(1_000, 2.seconds) shouldBe 3_000
        expiresAt(1_000, 1.5.milliseconds) shouldBe 1_001
    }

    test("expiresAt saturates for a ttl too long to add") {
        expiresAt(Long.MAX_VALUE - 10, 365.days) shouldBe Long.MAX_VALUE
    }

    test("expiresAt is at or before now for a zero or negative ttl, so the entry reads as expired") {
        expiresAt(1_000, Duration.ZERO) shouldBe 1_000
        expiresAt(1_000, (-1).seconds) shouldBe 0
    }
})
